//! Work shared between two cores: a large project's services, task plans
//! and outputs are each handled in two halves, one on a scoped thread, and
//! the results put back in order, so that what comes out is what one core
//! gives (`docs/DESIGN.md`, "Two cores, one report").

/// Below this many items a second thread costs more than it saves.
const SHARED_FROM: usize = 64;

#[cfg(test)]
thread_local! {
    /// The threshold, for the tests that compare one core with two.
    static THRESHOLD: std::cell::Cell<usize> = const { std::cell::Cell::new(SHARED_FROM) };
}

fn threshold() -> usize {
    #[cfg(test)]
    {
        THRESHOLD.with(std::cell::Cell::get)
    }
    #[cfg(not(test))]
    {
        SHARED_FROM
    }
}

/// `f` over `items`, in two halves on two cores when there are enough: the
/// results of the first half, then those of the second.
pub(crate) fn in_halves<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    if items.len() < threshold().max(2) {
        return f(items);
    }
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| f(second));
        let mut all = f(first);
        // A panic on the other core is a bug: it is raised here too.
        all.extend(
            other
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        );
        all
    })
}

/// `f` run with work shared from `threshold` items on (1: always two
/// halves; `usize::MAX`: one core), on this thread.
#[cfg(test)]
pub(crate) fn with_threshold<R>(threshold: usize, f: impl FnOnce() -> R) -> R {
    let before = THRESHOLD.with(|t| t.replace(threshold));
    let out = f();
    THRESHOLD.with(|t| t.set(before));
    out
}
