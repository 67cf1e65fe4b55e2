//! `GET /media/stems/{id}` with HTTP Range: the first bytes, the middle, a suffix, an
//! open end, past the end (416), revalidation with ETag, HEAD.

mod common;

use common::{Auth, Backend, TestServer, client, with_auth};

#[tokio::test(flavor = "multi_thread")]
async fn range_requests_sqlite() {
    range_requests(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn range_requests_postgres() {
    range_requests(Backend::Postgres).await;
}

async fn range_requests(backend: Backend) {
    let s = TestServer::start(backend).await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let stem = &s.alpha.stems[0];
    let whole = s
        .storage
        .get_bytes(&stem.storage_key)
        .await
        .expect("stored")
        .to_vec();
    let size = whole.len();
    assert!(size > 30_000, "a real one-second WAV");
    let path = format!("/media/stems/{}", stem.id);
    let get = |range: Option<String>| {
        let mut rb = with_auth(client().get(s.url(&path)), &member);
        if let Some(r) = range {
            rb = rb.header("range", r);
        }
        rb.send()
    };

    // Whole file.
    let resp = get(None).await.expect("get");
    assert_eq!(resp.status().as_u16(), 200);
    let h = resp.headers().clone();
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["content-type"], "audio/wav");
    assert_eq!(h["content-length"], size.to_string().as_str());
    assert!(
        h["cache-control"]
            .to_str()
            .expect("ascii")
            .contains("private")
    );
    let etag = h["etag"].to_str().expect("ascii").to_string();
    assert!(h.contains_key("last-modified"));
    assert_eq!(resp.bytes().await.expect("body").to_vec(), whole);

    // First bytes: the RIFF header.
    let resp = get(Some("bytes=0-11".into())).await.expect("get");
    assert_eq!(resp.status().as_u16(), 206);
    assert_eq!(
        resp.headers()["content-range"],
        format!("bytes 0-11/{size}").as_str()
    );
    assert_eq!(resp.headers()["content-length"], "12");
    let body = resp.bytes().await.expect("body");
    assert_eq!(&body[..4], b"RIFF");
    assert_eq!(&body[8..12], b"WAVE");

    // The middle.
    let (a, b) = (size / 3, size / 3 + 9999);
    let resp = get(Some(format!("bytes={a}-{b}"))).await.expect("get");
    assert_eq!(resp.status().as_u16(), 206);
    assert_eq!(
        resp.headers()["content-range"],
        format!("bytes {a}-{b}/{size}").as_str()
    );
    assert_eq!(
        resp.bytes().await.expect("body").to_vec(),
        whole[a..=b].to_vec()
    );

    // Suffix: the last 100 bytes.
    let resp = get(Some("bytes=-100".into())).await.expect("get");
    assert_eq!(resp.status().as_u16(), 206);
    assert_eq!(
        resp.headers()["content-range"],
        format!("bytes {}-{}/{size}", size - 100, size - 1).as_str()
    );
    assert_eq!(
        resp.bytes().await.expect("body").to_vec(),
        whole[size - 100..].to_vec()
    );

    // Open end, and an end past the end (clamped).
    let resp = get(Some(format!("bytes={}-", size - 10)))
        .await
        .expect("get");
    assert_eq!(resp.status().as_u16(), 206);
    assert_eq!(
        resp.bytes().await.expect("body").to_vec(),
        whole[size - 10..].to_vec()
    );
    let resp = get(Some(format!("bytes={}-{}", size - 5, size + 1000)))
        .await
        .expect("get");
    assert_eq!(resp.status().as_u16(), 206);
    assert_eq!(
        resp.headers()["content-range"],
        format!("bytes {}-{}/{size}", size - 5, size - 1).as_str()
    );

    // Past the end: 416 with the size.
    for bad in [
        format!("bytes={size}-"),
        format!("bytes={}-{}", size + 10, size + 20),
    ] {
        let resp = get(Some(bad.clone())).await.expect("get");
        assert_eq!(resp.status().as_u16(), 416, "{bad}");
        assert_eq!(
            resp.headers()["content-range"],
            format!("bytes */{size}").as_str()
        );
    }
    // A malformed range is ignored: the whole file.
    let resp = get(Some("bytes=9-2".into())).await.expect("get");
    assert_eq!(resp.status().as_u16(), 200);

    // Revalidation.
    let resp = with_auth(client().get(s.url(&path)), &member)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status().as_u16(), 304);
    // If-Range with a stale validator: the whole file, not a fragment of a new one.
    let resp = with_auth(client().get(s.url(&path)), &member)
        .header("range", "bytes=0-1")
        .header("if-range", "\"stale\"")
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status().as_u16(), 200);

    // HEAD: headers, no body.
    let resp = with_auth(client().head(s.url(&path)), &member)
        .send()
        .await
        .expect("head");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-length"], size.to_string().as_str());

    // The waveform.
    let resp = with_auth(client().get(s.url(&format!("{path}/waveform"))), &member)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.headers()["content-type"], "application/octet-stream");
    let bytes = resp.bytes().await.expect("body");
    let waveform = stemset_audio::analysis::decode_waveform(&bytes).expect("a peaks file");
    assert_eq!(waveform.peaks, common::SEEDED_PEAKS);
    s.stop().await;
}
