//! Page requests for every list: `page` from 1, `per_page` from 1 to [`MAX_PER_PAGE`].

use serde::Serialize;

pub const DEFAULT_PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 500;
/// Far beyond any real list; keeps `offset` arithmetic away from overflow.
pub const MAX_PAGE: i64 = 1_000_000;
/// How deep a list that only grows (the audit log) may be read by offset: an offset is
/// skipped entry by entry, so a deep one would let any caller make the store read a million
/// entries per request. Deeper pages are read by cursor, at the cost of the first.
pub const MAX_OFFSET_DEPTH: i64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

/// A page parameter that is out of range, with the name of the parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    pub field: &'static str,
    pub message: String,
}

impl PageRequest {
    /// Validates raw query values; each bad value gives one error naming its parameter.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<PageRequest, Vec<PageError>> {
        let mut errors = Vec::new();
        let page = parse_bounded(page, "page", 1, MAX_PAGE, 1, &mut errors);
        let per_page = parse_bounded(
            per_page,
            "per_page",
            1,
            MAX_PER_PAGE,
            DEFAULT_PER_PAGE,
            &mut errors,
        );
        if errors.is_empty() {
            Ok(PageRequest { page, per_page })
        } else {
            Err(errors)
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// Whether the page ends within the first [`MAX_OFFSET_DEPTH`] items.
    pub fn within_offset_depth(&self) -> bool {
        self.offset() + self.per_page <= MAX_OFFSET_DEPTH
    }

    /// The positions of this page in a list of `len` items held in memory (empty past its end).
    pub fn window(&self, len: usize) -> std::ops::Range<usize> {
        let start = usize::try_from(self.offset()).unwrap_or(usize::MAX).min(len);
        let end = start
            .saturating_add(usize::try_from(self.per_page).unwrap_or(usize::MAX))
            .min(len);
        start..end
    }
}

fn parse_bounded(
    raw: Option<&str>,
    field: &'static str,
    min: i64,
    max: i64,
    default: i64,
    errors: &mut Vec<PageError>,
) -> i64 {
    let Some(raw) = raw else { return default };
    match raw.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            errors.push(PageError {
                field,
                message: format!("must be a whole number from {min} to {max}"),
            });
            default
        }
    }
}

/// Where a list read by key (the audit log, newest first) goes on: the page number that
/// follows and the (time, id) of the last entry answered. It travels as
/// `<page>.<microseconds since 1970>.<id>`, readable, but to be passed back as it came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub page: i64,
    pub at: chrono::NaiveDateTime,
    pub id: i32,
}

/// The shape of a cursor, as the OpenAPI document states it: `<page>.<microseconds>.<id>`.
pub const CURSOR_PATTERN: &str = r"^[0-9]{1,7}\.-?[0-9]{1,19}\.[0-9]{1,10}$";

/// Why a cursor is refused: not of its shape (400), or of its shape but not one a list
/// answered (422: a page, time or id out of range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorError {
    Malformed,
    Unknown,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!(
            "{}.{}.{}",
            self.page,
            self.at.and_utc().timestamp_micros(),
            self.id
        )
    }

    /// Reads a cursor as [`Cursor::encode`] wrote it.
    pub fn parse(raw: &str) -> Result<Cursor, CursorError> {
        let digits =
            |s: &str, max: usize| (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
        let mut parts = raw.split('.');
        let (Some(page), Some(micros), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CursorError::Malformed);
        };
        if !(digits(page, 7) && digits(micros.strip_prefix('-').unwrap_or(micros), 19) && digits(id, 10)) {
            return Err(CursorError::Malformed);
        }
        let page = page.parse::<i64>().ok().filter(|p| (2..=MAX_PAGE).contains(p));
        // Within the years both engines store (PostgreSQL refuses a timestamp before 4713 BC).
        let at = micros
            .parse::<i64>()
            .ok()
            .and_then(chrono::DateTime::from_timestamp_micros)
            .map(|t| t.naive_utc())
            .filter(|t| (1900..=9999).contains(&chrono::Datelike::year(t)));
        let id = id.parse::<i32>().ok().filter(|id| *id > 0);
        match (page, at, id) {
            (Some(page), Some(at), Some(id)) => Ok(Cursor { page, at, id }),
            _ => Err(CursorError::Unknown),
        }
    }
}

/// One page of a list, as every list endpoint answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Items matching the filters, over all pages.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Lists read by key (the audit log): pass it as `cursor` to read the next page at the
    /// same cost however deep it is. Absent on the last page and on other lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: i64, request: PageRequest) -> Self {
        Page {
            items,
            total,
            page: request.page,
            per_page: request.per_page,
            next_cursor: None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_window_is_the_page_within_a_list_held_in_memory() {
        let page = |page, per_page| PageRequest { page, per_page };
        assert_eq!(page(1, 50).window(13), 0..13);
        assert_eq!(page(2, 5).window(13), 5..10);
        assert_eq!(page(3, 5).window(13), 10..13);
        assert_eq!(page(4, 5).window(13), 13..13);
        assert_eq!(page(MAX_PAGE, MAX_PER_PAGE).window(13), 13..13);
    }

    use super::*;

    #[test]
    fn defaults_to_first_page_of_fifty() {
        assert_eq!(
            PageRequest::parse(None, None),
            Ok(PageRequest {
                page: 1,
                per_page: 50
            })
        );
    }

    #[test]
    fn rejects_per_page_above_the_cap_and_names_the_field() {
        let errors = PageRequest::parse(None, Some("501")).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "per_page");
    }

    #[test]
    fn rejects_zero_negative_and_non_numeric_pages() {
        for bad in ["0", "-1", "abc", "1.5", "99999999999999999999"] {
            let errors = PageRequest::parse(Some(bad), None).unwrap_err();
            assert_eq!(errors[0].field, "page", "{bad}");
        }
    }

    #[test]
    fn a_cursor_reads_back_as_it_was_written() {
        let at = chrono::DateTime::from_timestamp_micros(1_796_000_000_123_456)
            .unwrap()
            .naive_utc();
        let cursor = Cursor { page: 7, at, id: 42 };
        assert_eq!(Cursor::parse(&cursor.encode()), Ok(cursor));
    }

    #[test]
    fn rejects_cursors_it_did_not_write() {
        for malformed in [
            "",
            "1.2",
            "1.2.3.4",
            "2.x.4",
            "2.1.-1",
            " 2.1.1",
            "2.1.1 ",
            "+2.1.1",
            "12345678.1.1",
            "2.--1.1",
        ] {
            assert_eq!(
                Cursor::parse(malformed),
                Err(CursorError::Malformed),
                "{malformed}"
            );
        }
        for unknown in [
            "0.1796000000123456.4",
            "1.1796000000123456.4",
            "2.1796000000123456.0",
            "2.1796000000123456.9999999999",
            "2.9999999999999999999.1",
            "2.-300000000000000000.1",
            "2.-2208988800000001.1",
            "2.253402300800000000.1",
        ] {
            assert_eq!(Cursor::parse(unknown), Err(CursorError::Unknown), "{unknown}");
        }
    }

    proptest::proptest! {
        /// The document's pattern admits exactly the strings the parser reads as well formed.
        #[test]
        fn the_cursor_pattern_admits_what_the_parser_reads(raw in r"[0-9.\- a]{0,30}|[0-9]{1,8}\.-?[0-9]{1,20}\.[0-9]{1,11}") {
            let admitted = regex::Regex::new(CURSOR_PATTERN).unwrap().is_match(&raw);
            proptest::prop_assert_eq!(admitted, Cursor::parse(&raw) != Err(CursorError::Malformed), "{}", raw);
        }
    }

    #[test]
    fn offset_paging_reaches_ten_thousand_items_deep() {
        assert!(PageRequest {
            page: 200,
            per_page: 50
        }
        .within_offset_depth());
        assert!(PageRequest {
            page: 20,
            per_page: 500
        }
        .within_offset_depth());
        assert!(!PageRequest {
            page: 201,
            per_page: 50
        }
        .within_offset_depth());
        assert!(!PageRequest {
            page: MAX_PAGE,
            per_page: MAX_PER_PAGE
        }
        .within_offset_depth());
    }

    #[test]
    fn offset_counts_whole_pages() {
        let request = PageRequest::parse(Some("3"), Some("20")).unwrap();
        assert_eq!(request.offset(), 40);
    }
}
