//! Running independent work on every core: each worker takes the next item
//! as it becomes free, so one large item does not hold up the rest.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Applies `f` to every item on every core; the results keep the items' order.
/// Each item is handed over (and dropped) by the worker that takes it, so large
/// items are freed as soon as they are done. Put the largest items first.
pub fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let count = items.len();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(count.max(1));
    let items: Vec<Mutex<Option<T>>> = items.into_iter().map(|item| Mutex::new(Some(item))).collect();
    let results: Vec<Mutex<Option<R>>> = (0..count).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slot) = items.get(index) else { break };
                    let item = slot.lock().expect("no worker panics").take().expect("each item is taken once");
                    let result = f(item);
                    *results[index].lock().expect("no worker panics") = Some(result);
                }
            });
        }
    });
    results.into_iter().map(|r| r.into_inner().expect("no worker panics").expect("every item was done")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items() {
        let squares = super::map((0..100u64).collect(), |n| n * n);
        assert_eq!(squares, (0..100u64).map(|n| n * n).collect::<Vec<_>>());
        assert!(super::map(Vec::<u8>::new(), |n| n).is_empty());
    }
}
