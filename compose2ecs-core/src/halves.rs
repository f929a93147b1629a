//! Work in two halves on two cores, the results in order: a large
//! project's services, task plans and outputs are each handled in two
//! halves, one on a scoped thread, and the results put back in order, so
//! that what comes out is what one core gives (`docs/DESIGN.md`, "Two
//! cores, one report"). Public so that the CLI shares the same rule for its
//! own long lists (a report, a large project's files) instead of a copy.
//!
//! ```
//! use compose2ecs_core::halves::in_halves;
//!
//! let items: Vec<u32> = (0..200).collect();
//! let doubled: Vec<u32> = in_halves(&items, |half| half.iter().map(|i| i * 2).collect())
//!     .into_iter()
//!     .collect();
//! assert_eq!(doubled, items.iter().map(|i| i * 2).collect::<Vec<_>>());
//! ```

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

/// `f` over `items`, in two halves on two cores when there are enough (64
/// items or more): the results of the first half, then those of the second.
/// A panic in either half is raised here.
pub fn in_halves<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> Vec<R> + Sync) -> Halves<R> {
    if items.len() < threshold().max(2) {
        return Halves(f(items), Vec::new());
    }
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| f(second));
        let first = f(first);
        // A panic on the other core is a bug: it is raised here too.
        let second = other
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        Halves(first, second)
    })
}

/// What [`in_halves`] gives: the results of each half, taken in order
/// without moving them into one list first (a large project's typed
/// services are a kilobyte each).
#[derive(Debug)]
pub struct Halves<R>(Vec<R>, Vec<R>);

impl<R> IntoIterator for Halves<R> {
    type Item = R;
    type IntoIter = std::iter::Chain<std::vec::IntoIter<R>, std::vec::IntoIter<R>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter().chain(self.1)
    }
}

/// From this many services a large value is freed on a thread of its own:
/// below, starting the thread and the allocator's locking between the two
/// cost more than the frees (measured with glibc's allocator: at 100
/// services `load` took 0.8 ms longer, at 1,000 services `convert` 30 ms
/// less).
const DROPPED_ASIDE_FROM: usize = 256;

/// Drops `value`, the YAML tree or the typed model of a project of
/// `services` services, on another thread when the project is large (tens
/// of thousands of allocations, milliseconds to free), so that the next
/// stage need not wait for it; else here.
pub(crate) fn drop_aside<T: Send + 'static>(value: T, services: usize) {
    if services < DROPPED_ASIDE_FROM {
        return drop(value);
    }
    // If no thread can be started, the value is dropped here, as the
    // closure that holds it is.
    let _ = std::thread::Builder::new()
        .name("compose2ecs-drop".to_owned())
        .spawn(move || drop(value));
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
