//! Audio held in memory: a source over an interleaved buffer and a sink that collects
//! one. For tests, benchmarks and embedding callers that already hold the samples.

use crate::audio::{AudioError, AudioSink, AudioSource};
use crate::separator::{AudioSeparator, NoProgress, SeparationError};

/// Interleaved samples handed out in reads of at most `max_read` frames (odd sizes
/// exercise the consumers' buffering).
pub struct MemorySource {
    data: Vec<f32>,
    pos: usize,
    channels: usize,
    sample_rate: u32,
    max_read: usize,
}

impl MemorySource {
    pub fn new(interleaved: Vec<f32>, channels: usize, sample_rate: u32) -> Self {
        Self {
            data: interleaved,
            pos: 0,
            channels: channels.max(1),
            sample_rate,
            max_read: 12_345,
        }
    }

    /// Stereo 44.1 kHz, the rate of most separation models.
    pub fn stereo(interleaved: Vec<f32>) -> Self {
        Self::new(interleaved, 2, 44_100)
    }
}

impl AudioSource for MemorySource {
    fn sample_rate(&self) -> u32 {
        self.sample_rate
    }
    fn channels(&self) -> usize {
        self.channels
    }
    fn total_frames(&self) -> Option<u64> {
        Some((self.data.len() / self.channels) as u64)
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let ch = self.channels;
        let frames = (buf.len() / ch)
            .min(self.max_read)
            .min((self.data.len() - self.pos) / ch);
        buf[..frames * ch].copy_from_slice(&self.data[self.pos..self.pos + frames * ch]);
        self.pos += frames * ch;
        Ok(frames)
    }
}

/// Collects everything written to it.
#[derive(Default)]
pub struct MemorySink {
    pub data: Vec<f32>,
    pub finished: bool,
}

impl AudioSink for MemorySink {
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError> {
        self.data.extend_from_slice(interleaved);
        Ok(())
    }
    fn finish(&mut self) -> Result<(), AudioError> {
        self.finished = true;
        Ok(())
    }
}

/// Runs `model` over `source` and returns one interleaved buffer per output slot.
pub fn separate_to_memory(
    model: &mut dyn AudioSeparator,
    source: &mut dyn AudioSource,
) -> Result<Vec<Vec<f32>>, SeparationError> {
    let mut sinks: Vec<MemorySink> = model
        .output_slots()
        .iter()
        .map(|_| MemorySink::default())
        .collect();
    {
        let mut refs: Vec<&mut dyn AudioSink> =
            sinks.iter_mut().map(|s| s as &mut dyn AudioSink).collect();
        model.separate(source, &mut refs, &NoProgress)?;
    }
    Ok(sinks.into_iter().map(|s| s.data).collect())
}
