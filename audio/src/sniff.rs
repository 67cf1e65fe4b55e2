//! Recognises audio containers by their first bytes, so an upload that is not audio is
//! refused before it is stored (the extension alone proves nothing).

/// Bytes needed to recognise every supported container.
pub const SNIFF_LEN: usize = 12;

/// The container `head` starts with, if it is one we can decode.
pub fn sniff_audio(head: &[u8]) -> Option<&'static str> {
    let at = |i: usize, magic: &[u8]| head.get(i..i + magic.len()) == Some(magic);
    if (at(0, b"RIFF") || at(0, b"RF64") || at(0, b"BW64")) && at(8, b"WAVE") {
        Some("wav")
    } else if at(0, b"fLaC") {
        Some("flac")
    } else if at(0, b"OggS") {
        Some("ogg")
    } else if at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")) {
        Some("aiff")
    } else if at(4, b"ftyp") {
        Some("mp4")
    } else if at(0, b"caff") {
        Some("caf")
    } else if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        Some("matroska")
    } else if at(0, b"ID3") {
        Some("mp3")
    } else if head.len() >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0 {
        // An MPEG audio frame sync (MP3 without tags, or ADTS AAC).
        Some("mpeg")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_containers_and_refuses_others() {
        assert_eq!(sniff_audio(b"RIFF\x24\0\0\0WAVEfmt "), Some("wav"));
        assert_eq!(sniff_audio(b"fLaC\0\0\0\x22"), Some("flac"));
        assert_eq!(sniff_audio(b"OggS\0\x02"), Some("ogg"));
        assert_eq!(sniff_audio(b"\0\0\0\x20ftypM4A "), Some("mp4"));
        assert_eq!(sniff_audio(b"ID3\x04\0\0"), Some("mp3"));
        assert_eq!(sniff_audio(&[0xFF, 0xFB, 0x90, 0x64]), Some("mpeg"));
        assert_eq!(sniff_audio(b"%PDF-1.7\n"), None);
        assert_eq!(sniff_audio(b"RIFF\x24\0\0\0AVI "), None);
        assert_eq!(sniff_audio(b""), None);
        assert_eq!(sniff_audio(b"hello, world"), None);
    }
}
