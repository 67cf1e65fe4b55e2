//! HTTP Range requests (RFC 9110 §14): one `bytes=` range, as browsers and audio players
//! send them. Multi-range requests are served whole (a 200 is always a valid answer).

use std::ops::Range;

#[derive(Debug, PartialEq, Eq)]
pub enum RangeRequest {
    /// No Range header, or one we answer with the whole body.
    Full,
    /// A satisfiable range, end exclusive.
    Partial(Range<u64>),
    /// 416: the range lies wholly past the end (or the object is empty).
    Unsatisfiable,
}

/// Parses `header` against an object of `size` bytes.
pub fn parse(header: Option<&str>, size: u64) -> RangeRequest {
    let Some(header) = header else {
        return RangeRequest::Full;
    };
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        // Unknown units are ignored, per the RFC.
        return RangeRequest::Full;
    };
    if spec.contains(',') {
        return RangeRequest::Full;
    }
    let Some((start, end)) = spec.trim().split_once('-') else {
        return RangeRequest::Full;
    };
    let (start, end) = (start.trim(), end.trim());
    if start.is_empty() {
        // Suffix: the last N bytes.
        let Ok(n) = end.parse::<u64>() else {
            return RangeRequest::Full;
        };
        if n == 0 || size == 0 {
            return RangeRequest::Unsatisfiable;
        }
        return RangeRequest::Partial(size.saturating_sub(n)..size);
    }
    let Ok(start) = start.parse::<u64>() else {
        return RangeRequest::Full;
    };
    let end_inclusive = if end.is_empty() {
        None
    } else {
        match end.parse::<u64>() {
            Ok(e) if e >= start => Some(e),
            // `bytes=5-2` is syntactically invalid: ignore the header.
            _ => return RangeRequest::Full,
        }
    };
    if start >= size {
        return RangeRequest::Unsatisfiable;
    }
    let end = end_inclusive.map_or(size, |e| e.saturating_add(1).min(size));
    RangeRequest::Partial(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let p = |h: &str| parse(Some(h), 1000);
        assert_eq!(parse(None, 1000), RangeRequest::Full);
        assert_eq!(p("bytes=0-99"), RangeRequest::Partial(0..100));
        assert_eq!(p("bytes=500-"), RangeRequest::Partial(500..1000));
        assert_eq!(p("bytes=-100"), RangeRequest::Partial(900..1000));
        assert_eq!(p("bytes=-5000"), RangeRequest::Partial(0..1000));
        assert_eq!(p("bytes=990-5000"), RangeRequest::Partial(990..1000));
        assert_eq!(p("bytes=999-999"), RangeRequest::Partial(999..1000));
        assert_eq!(p("bytes=1000-"), RangeRequest::Unsatisfiable);
        assert_eq!(p("bytes=2000-3000"), RangeRequest::Unsatisfiable);
        assert_eq!(p("bytes=-0"), RangeRequest::Unsatisfiable);
        assert_eq!(p("bytes=5-2"), RangeRequest::Full);
        assert_eq!(p("bytes=0-1,5-6"), RangeRequest::Full);
        assert_eq!(p("items=0-1"), RangeRequest::Full);
        assert_eq!(p("bytes=x-y"), RangeRequest::Full);
        assert_eq!(parse(Some("bytes=0-"), 0), RangeRequest::Unsatisfiable);
    }
}
