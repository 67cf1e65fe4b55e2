//! When a recording was made, as the recorder wrote it: the Broadcast Wave `bext` chunk's
//! OriginationDate and OriginationTime (EBU Tech 3285, which field recorders such as the
//! Zoom H4n, Tascam DR and Sound Devices write), else iXML's `BWF_ORIGINATION_DATE` /
//! `BWF_ORIGINATION_TIME`. Files of other containers have none here; the caller falls
//! back to the file's time.
//!
//! The walk reads chunk headers and at most [`MAX_IXML`] bytes of one chunk body, so a
//! lying header costs nothing.

use std::io::{Read, Seek, SeekFrom};

/// The recorder's wall clock (BWF carries no time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OriginDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// `bext`: Description (256), Originator (32), OriginatorReference (32), then
/// OriginationDate (10, "yyyy-mm-dd") and OriginationTime (8, "hh:mm:ss").
const BEXT_DATE_AT: usize = 256 + 32 + 32;
const BEXT_MIN_LEN: u64 = (BEXT_DATE_AT + 18) as u64;
/// An iXML chunk larger than this is not read (real ones are a few KB).
const MAX_IXML: u64 = 256 * 1024;

/// The origination date of a RIFF/RF64 WAVE file, or `None` (another container, no
/// `bext`/iXML chunk, or an unset or invalid date). I/O errors also give `None`: the
/// date is a nicety, never a reason to refuse a file.
pub fn origin_date<R: Read + Seek>(file: &mut R) -> Option<OriginDate> {
    file.seek(SeekFrom::Start(0)).ok()?;
    let mut head = [0u8; 12];
    file.read_exact(&mut head).ok()?;
    if !matches!(&head[0..4], b"RIFF" | b"RF64" | b"BW64") || &head[8..12] != b"WAVE" {
        return None;
    }
    let file_len = file.seek(SeekFrom::End(0)).ok()?;
    let mut pos = 12u64;
    let mut from_ixml = None;
    // Chunks before the samples; RF64's data size lives in ds64, so a data chunk ends
    // the walk either way.
    while pos + 8 <= file_len {
        file.seek(SeekFrom::Start(pos)).ok()?;
        let mut chunk = [0u8; 8];
        file.read_exact(&mut chunk).ok()?;
        let len = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        let body = pos + 8;
        let len_in_file = len.min(file_len.saturating_sub(body));
        match &chunk[0..4] {
            b"bext" if len_in_file >= BEXT_MIN_LEN => {
                let mut fields = [0u8; 18];
                file.seek(SeekFrom::Start(body + BEXT_DATE_AT as u64))
                    .ok()?;
                file.read_exact(&mut fields).ok()?;
                if let Some(d) = parse(&fields[..10], &fields[10..]) {
                    return Some(d);
                }
            }
            b"iXML" if len_in_file <= MAX_IXML => {
                let mut xml = vec![0u8; len_in_file as usize];
                file.read_exact(&mut xml).ok()?;
                from_ixml = from_ixml.or_else(|| ixml(&String::from_utf8_lossy(&xml)));
            }
            b"data" => break,
            _ => {}
        }
        pos = body + len + (len & 1);
    }
    from_ixml
}

/// `date` "yyyy-mm-dd" (EBU allows any of `-_:. ` as separators), `time` "hh:mm:ss"
/// (or empty: midnight). An unset date (zeros, spaces) or one out of range is `None`.
fn parse(date: &[u8], time: &[u8]) -> Option<OriginDate> {
    let date = std::str::from_utf8(date).ok()?.trim_matches(['\0', ' ']);
    let time = std::str::from_utf8(time).ok()?.trim_matches(['\0', ' ']);
    let is_sep = |c: char| "-_:. /".contains(c);
    let d: Vec<&str> = date.split(is_sep).collect();
    let [y, m, dd] = d.as_slice() else {
        return None;
    };
    let (year, month, day) = (
        y.parse::<u16>().ok()?,
        m.parse::<u8>().ok()?,
        dd.parse::<u8>().ok()?,
    );
    let (hour, minute, second) = if time.is_empty() {
        (0, 0, 0)
    } else {
        let t: Vec<&str> = time.split(is_sep).collect();
        let [h, mi, s] = t.as_slice() else {
            return None;
        };
        (
            h.parse::<u8>().ok()?,
            mi.parse::<u8>().ok()?,
            s.parse::<u8>().ok()?,
        )
    };
    let valid = (1970..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=days_in(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60;
    valid.then_some(OriginDate {
        year,
        month,
        day,
        hour,
        minute,
        second,
    })
}

fn days_in(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// iXML's `<BWF_ORIGINATION_DATE>` and `<BWF_ORIGINATION_TIME>` (inside `<BEXT>`).
fn ixml(xml: &str) -> Option<OriginDate> {
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let start = xml.find(&open)? + open.len();
        let end = start + xml[start..].find('<')?;
        Some(xml[start..end].trim().to_string())
    };
    let date = tag("BWF_ORIGINATION_DATE")?;
    let time = tag("BWF_ORIGINATION_TIME").unwrap_or_default();
    parse(date.as_bytes(), time.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A WAVE file of the given chunks (id, body), then a short data chunk.
    fn wave(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let mut body = b"WAVE".to_vec();
        let mut fmt = Vec::new();
        fmt.extend_from_slice(&1u16.to_le_bytes());
        fmt.extend_from_slice(&2u16.to_le_bytes());
        fmt.extend_from_slice(&48_000u32.to_le_bytes());
        fmt.extend_from_slice(&(48_000u32 * 4).to_le_bytes());
        fmt.extend_from_slice(&4u16.to_le_bytes());
        fmt.extend_from_slice(&16u16.to_le_bytes());
        let all = chunks
            .iter()
            .cloned()
            .chain([(b"fmt ", fmt), (b"data", vec![0u8; 16])]);
        for (id, data) in all {
            body.extend_from_slice(id);
            body.extend_from_slice(&(data.len() as u32).to_le_bytes());
            body.extend_from_slice(&data);
            if data.len() % 2 == 1 {
                body.push(0);
            }
        }
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    fn bext(date: &str, time: &str) -> Vec<u8> {
        let mut b = vec![0u8; 602];
        b[BEXT_DATE_AT..BEXT_DATE_AT + date.len()].copy_from_slice(date.as_bytes());
        b[BEXT_DATE_AT + 10..BEXT_DATE_AT + 10 + time.len()].copy_from_slice(time.as_bytes());
        b
    }

    fn date_of(bytes: Vec<u8>) -> Option<OriginDate> {
        origin_date(&mut Cursor::new(bytes))
    }

    #[test]
    fn bext_date_and_time() {
        let d = date_of(wave(&[(b"bext", bext("2026-11-24", "19:42:07"))])).expect("a date");
        assert_eq!(
            (d.year, d.month, d.day, d.hour, d.minute, d.second),
            (2026, 11, 24, 19, 42, 7)
        );
        // Other separators EBU allows.
        let d = date_of(wave(&[(b"bext", bext("2026:02:28", "07_05_00"))])).expect("a date");
        assert_eq!((d.month, d.day, d.hour, d.minute), (2, 28, 7, 5));
    }

    #[test]
    fn ixml_when_bext_has_none() {
        let xml = "<?xml version=\"1.0\"?><BWFXML><BEXT><BWF_ORIGINATION_DATE>2025-06-01\
                   </BWF_ORIGINATION_DATE><BWF_ORIGINATION_TIME>21:00:30</BWF_ORIGINATION_TIME>\
                   </BEXT></BWFXML>";
        let d = date_of(wave(&[
            (b"bext", bext("", "")),
            (b"iXML", xml.as_bytes().to_vec()),
        ]))
        .expect("a date");
        assert_eq!(
            (d.year, d.month, d.day, d.hour, d.second),
            (2025, 6, 1, 21, 30)
        );
    }

    #[test]
    fn none_without_a_valid_date() {
        assert_eq!(date_of(wave(&[])), None);
        assert_eq!(
            date_of(wave(&[(b"bext", bext("0000-00-00", "00:00:00"))])),
            None
        );
        assert_eq!(
            date_of(wave(&[(b"bext", bext("2026-02-30", "10:00:00"))])),
            None
        );
        assert_eq!(
            date_of(wave(&[(b"bext", bext("2026-01-10", "25:00:00"))])),
            None
        );
        // Too short to hold the date fields.
        assert_eq!(date_of(wave(&[(b"bext", vec![b'2'; 300])])), None);
        assert_eq!(date_of(b"fLaC\0\0\0\x22".to_vec()), None);
        assert_eq!(date_of(Vec::new()), None);
    }

    #[test]
    fn lying_chunk_sizes_cost_nothing() {
        // A chunk claiming 4 GB before the bext: the walk steps past the file's end.
        let mut bytes = wave(&[(b"bext", bext("2026-11-24", "19:42:07"))]);
        bytes.extend_from_slice(b"junk\xF0\xFF\xFF\xFF");
        assert!(date_of(bytes).is_some());
        let mut liar = wave(&[]);
        let at = 12;
        liar.splice(at..at, b"iXML\xF0\xFF\xFF\xFF".iter().copied());
        assert_eq!(date_of(liar), None);
    }
}
