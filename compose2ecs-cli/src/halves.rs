//! The CLI's share of the work on two cores: a long report rendered, and a
//! large project's files made JSON, each in two halves, the results in
//! order (the core shares its own stages the same way, `cores.rs`).

/// Below this many items a second thread costs more than it saves.
const SHARED_FROM: usize = 64;

/// `f` over `items`: one result, or, for a long list, the result of its
/// first half and then of its second, computed on two cores.
pub(crate) fn in_halves<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    if items.len() < SHARED_FROM {
        return vec![f(items)];
    }
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| f(second));
        let first = f(first);
        // A panic on the other core is a bug: it is raised here too.
        let second = other
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        vec![first, second]
    })
}
