//! The registry's paginated lists (`tags/list`, `_catalog`), followed
//! with `n` and `last` until a short page. A registry that ignores `last`
//! would hand the same page back forever: a page that adds nothing ends
//! the walk too.

use std::collections::BTreeSet;
use std::future::Future;

/// The largest page distribution accepts (`catalog.maxentries` defaults
/// to 1000; more is a 400 PAGINATION_NUMBER_INVALID).
pub const PAGE: usize = 1000;

/// Every entry, sorted, from `fetch(n, last)`.
pub async fn all<F, Fut, E>(mut fetch: F) -> Result<Vec<String>, E>
where
    F: FnMut(usize, Option<String>) -> Fut,
    Fut: Future<Output = Result<Vec<String>, E>>,
{
    let mut seen = BTreeSet::new();
    let mut last: Option<String> = None;
    loop {
        let page = fetch(PAGE, last.clone()).await?;
        let before = seen.len();
        seen.extend(page.iter().cloned());
        if page.len() < PAGE || seen.len() == before {
            break;
        }
        last = page.last().cloned();
    }
    Ok(seen.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|rt| rt.block_on(f))
            .unwrap_or_else(|e| panic!("runtime: {e}"))
    }

    #[test]
    fn follows_last_until_a_short_page() {
        let all_names: Vec<String> = (0..2500).map(|i| format!("t{i:05}")).collect();
        let got = run(all(|n, last| {
            let start = last.map_or(0, |l| {
                all_names.iter().position(|t| *t == l).map_or(0, |i| i + 1)
            });
            let page: Vec<String> = all_names.iter().skip(start).take(n).cloned().collect();
            async move { Ok::<_, ()>(page) }
        }))
        .unwrap_or_default();
        assert_eq!(got, all_names);
    }

    #[test]
    fn a_registry_ignoring_last_does_not_loop() {
        let names: Vec<String> = (0..PAGE).map(|i| format!("t{i:05}")).collect();
        let got = run(all(|_, _| {
            let page = names.clone();
            async move { Ok::<_, ()>(page) }
        }))
        .unwrap_or_default();
        assert_eq!(got.len(), PAGE);
    }
}
