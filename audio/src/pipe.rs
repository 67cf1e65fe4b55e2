//! A bounded in-memory stream between two threads: one stage writes into a [`PipeWriter`]
//! (an [`AudioSink`]), the next reads from the [`PipeReader`] (an [`AudioSource`]). This is
//! how a strategy tree streams from one model to the next without a full-length file on
//! disk: at most `blocks` blocks wait in the pipe, the writer blocks while it is full.
//!
//! A stream ends only by [`AudioSink::finish`]: a writer dropped without it (its stage
//! failed or was cancelled) makes the reader fail with [`AudioError::Interrupted`], so a
//! half stream is never taken for a whole one. A reader that goes away makes the writer
//! fail with [`AudioError::Abandoned`].

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::{AudioError, AudioSink, AudioSource, CHUNK_FRAMES};

enum Message {
    Samples(Vec<f32>),
    End,
}

/// A pipe for `channels` at `sample_rate` of `total_frames` (when known: progress only),
/// holding at most `blocks` blocks of up to [`CHUNK_FRAMES`] frames.
pub fn pipe(
    sample_rate: u32,
    channels: usize,
    total_frames: Option<u64>,
    blocks: usize,
) -> (PipeWriter, PipeReader) {
    let (tx, rx) = sync_channel(blocks.max(1));
    (
        PipeWriter {
            tx: Some(tx),
            block: CHUNK_FRAMES * channels.max(1),
        },
        PipeReader {
            rx,
            sample_rate,
            channels,
            total_frames,
            pending: Vec::new(),
            at: 0,
            ended: false,
        },
    )
}

pub struct PipeWriter {
    tx: Option<SyncSender<Message>>,
    /// Samples per message: large writes are split, so the bound is in memory too.
    block: usize,
}

impl AudioSink for PipeWriter {
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError> {
        let tx = self.tx.as_ref().ok_or(AudioError::Abandoned)?;
        for part in interleaved.chunks(self.block) {
            tx.send(Message::Samples(part.to_vec()))
                .map_err(|_| AudioError::Abandoned)?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), AudioError> {
        match self.tx.take() {
            Some(tx) => tx.send(Message::End).map_err(|_| AudioError::Abandoned),
            None => Ok(()),
        }
    }
}

pub struct PipeReader {
    rx: Receiver<Message>,
    sample_rate: u32,
    channels: usize,
    total_frames: Option<u64>,
    pending: Vec<f32>,
    at: usize,
    ended: bool,
}

impl AudioSource for PipeReader {
    fn sample_rate(&self) -> u32 {
        self.sample_rate
    }
    fn channels(&self) -> usize {
        self.channels
    }
    fn total_frames(&self) -> Option<u64> {
        self.total_frames
    }

    /// Fills `buf` as far as the stream goes (blocking while the writer is behind).
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let ch = self.channels.max(1);
        let want = buf.len() / ch * ch;
        let mut filled = 0;
        while filled < want {
            if self.at == self.pending.len() {
                if self.ended {
                    break;
                }
                match self.rx.recv() {
                    Ok(Message::Samples(block)) => {
                        self.pending = block;
                        self.at = 0;
                    }
                    Ok(Message::End) => {
                        self.ended = true;
                        break;
                    }
                    Err(_) => return Err(AudioError::Interrupted),
                }
                continue;
            }
            let n = (want - filled).min(self.pending.len() - self.at);
            buf[filled..filled + n].copy_from_slice(&self.pending[self.at..self.at + n]);
            filled += n;
            self.at += n;
        }
        Ok(filled / ch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carries_a_stream_between_threads_in_order_and_bounded() {
        let (mut w, mut r) = pipe(48_000, 2, Some(300_000), 2);
        let writer = std::thread::spawn(move || {
            // One write larger than a block, then odd sizes.
            let big: Vec<f32> = (0..2 * 200_000).map(|i| i as f32).collect();
            w.write(&big).expect("write");
            let rest: Vec<f32> = (2 * 200_000..2 * 300_000).map(|i| i as f32).collect();
            for part in rest.chunks(2 * 777) {
                w.write(part).expect("write");
            }
            w.finish().expect("finish");
        });
        let mut got = Vec::new();
        let mut buf = vec![0.0f32; 2 * 10_000];
        loop {
            let n = r.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..2 * n]);
        }
        writer.join().expect("writer");
        assert_eq!(got.len(), 2 * 300_000);
        assert!(got.iter().enumerate().all(|(i, v)| *v == i as f32));
        assert_eq!(r.total_frames(), Some(300_000));
        // After the end, reads keep saying so.
        assert_eq!(r.read(&mut buf).expect("read"), 0);
    }

    #[test]
    fn a_writer_gone_without_finishing_is_an_error_not_an_end() {
        let (mut w, mut r) = pipe(44_100, 2, None, 4);
        w.write(&[0.5; 8]).expect("write");
        drop(w);
        let mut buf = vec![0.0f32; 8];
        assert_eq!(r.read(&mut buf).expect("buffered samples"), 4);
        assert!(matches!(r.read(&mut buf), Err(AudioError::Interrupted)));
    }

    #[test]
    fn a_reader_gone_fails_the_writer() {
        let (mut w, r) = pipe(44_100, 2, None, 1);
        drop(r);
        assert!(matches!(w.write(&[0.0; 4]), Err(AudioError::Abandoned)));
        assert!(matches!(w.finish(), Err(AudioError::Abandoned)));
    }
}
