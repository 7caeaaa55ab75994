//! Page numbers for long lists: which page is shown, and the previous and
//! next ones.

/// Where a paged list is.
pub struct Paging {
    pub(crate) current: usize,
    pub(crate) pages: usize,
    pub(crate) previous: Option<usize>,
    pub(crate) next: Option<usize>,
}

impl Paging {
    pub(crate) fn new(items: usize, per_page: usize, requested: Option<usize>) -> Paging {
        let pages = items.div_ceil(per_page).max(1);
        let current = requested.unwrap_or(1).clamp(1, pages);
        Paging {
            current,
            pages,
            previous: (current > 1).then(|| current - 1),
            next: (current < pages).then(|| current + 1),
        }
    }
}
