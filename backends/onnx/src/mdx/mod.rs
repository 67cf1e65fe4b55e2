//! MDX-Net spectrogram models (UVR-MDX-NET-*, Kim_*, kuielab_*): the network maps the
//! mixture's packed spectrogram to the primary stem's; the secondary stem is
//! mix − primary (UVR's formula, spec §1.8).

pub mod config;
pub mod model_data;
pub mod schedule;
pub mod stft;

use std::time::{Duration, Instant};

use stemset_sdk::audio::spool::SpooledAudio;
use stemset_sdk::audio::{AudioSink, AudioSource};
use stemset_sdk::chunking::overlap_add::OverlapAdd;
use stemset_sdk::separator::{AudioSeparator, SeparationError, SeparationProgress, SlotInfo};

use crate::session::OnnxModel;
use config::MdxConfig;
use schedule::{Overlap, Schedule, symmetric_hann};
use stft::ChunkStft;

pub const MDX_RATE: u32 = 44_100;

pub struct MdxSeparator {
    name: String,
    model: OnnxModel,
    config: MdxConfig,
    /// [primary, secondary].
    slots: Vec<SlotInfo>,
}

impl MdxSeparator {
    pub fn new(name: &str, model: OnnxModel, config: MdxConfig, slots: Vec<SlotInfo>) -> Self {
        Self {
            name: name.to_string(),
            model,
            config,
            slots,
        }
    }

    fn fail(&self, reason: String) -> SeparationError {
        SeparationError::Model {
            model: self.name.clone(),
            reason,
        }
    }

    /// One batch of packed spectrograms through the network (§1.6 step 3), in place.
    fn predict(&mut self, packed: &mut [f32], batch: usize) -> Result<(), SeparationError> {
        let (dim_f, segment) = (self.config.dim_f, self.config.segment);
        let shape = [batch as i64, 4, dim_f as i64, segment as i64];
        // Bins 0, 1, 2 of every plane are zeroed before the network sees them.
        for plane in packed.chunks_exact_mut(dim_f * segment) {
            plane[..3 * segment].fill(0.0);
        }
        let mut pred = self.run_checked(&shape, packed)?;
        if self.config.denoise {
            // pred = ½·f(X) − ½·f(−X): whatever the network adds regardless of the sign
            // of its input cancels.
            let negated: Vec<f32> = packed.iter().map(|v| -v).collect();
            let neg = self.run_checked(&shape, &negated)?;
            for (p, n) in pred.iter_mut().zip(neg) {
                *p = 0.5 * *p - 0.5 * n;
            }
        }
        packed.copy_from_slice(&pred);
        Ok(())
    }

    fn run_checked(&mut self, shape: &[i64; 4], data: &[f32]) -> Result<Vec<f32>, SeparationError> {
        let mut out = self
            .model
            .run(&[(shape.as_slice(), data)])
            .map_err(|e| self.fail(e))?;
        if out.is_empty() {
            return Err(self.fail("the model returned no output".into()));
        }
        let (got_shape, values) = out.swap_remove(0);
        if got_shape != shape {
            return Err(self.fail(format!(
                "{}: output shape {:?} differs from the input shape {:?}",
                self.model.path.display(),
                got_shape,
                shape
            )));
        }
        Ok(values)
    }
}

impl AudioSeparator for MdxSeparator {
    fn output_slots(&self) -> &[SlotInfo] {
        &self.slots
    }

    fn device(&self) -> String {
        self.model.device.to_string()
    }

    fn sample_rate(&self) -> u32 {
        MDX_RATE
    }

    fn separate(
        &mut self,
        input: &mut dyn AudioSource,
        outputs: &mut [&mut dyn AudioSink],
        progress: &dyn SeparationProgress,
    ) -> Result<(), SeparationError> {
        // Stereo at the model's rate, one output per slot: checked by the executor.
        // Where the time goes (reported at info level; bench/onnx.sh prints it).
        let (mut t_io, mut t_stft, mut t_infer) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
        let started = Instant::now();
        let spool = SpooledAudio::spool(input)?;
        t_io += started.elapsed();
        if progress.cancelled() {
            return Err(SeparationError::Cancelled);
        }
        let n = spool.frames() as usize;
        if n == 0 {
            return Ok(());
        }
        let c = self.config.clone();
        let plan = Schedule::new(n, c.n_fft, c.hop, c.segment, c.overlap);
        let mut stft = ChunkStft::new(c.n_fft, c.hop, c.dim_f, c.segment);
        let chunk_len = plan.chunk;
        let packed_len = stft.packed_len();

        let mut acc = OverlapAdd::new(2, 0);
        let mut interleaved = vec![0.0f32; chunk_len * 2];
        let mut planar = vec![0.0f32; chunk_len * 2];
        let mut packed = vec![0.0f32; packed_len * c.batch_size];
        let mut raw = Vec::new();
        let mut mix = Vec::new();
        let mut primary = Vec::new();
        let mut secondary = Vec::new();
        // Output covers padded positions [trim, trim + n).
        let mut emitted = plan.trim;
        // Chunks starting past the end of the mix only touch padding that is cut off, so
        // skipping them changes no output sample (UVR runs them anyway).
        let chunks: Vec<(usize, usize)> = plan
            .chunks
            .iter()
            .copied()
            .filter(|&(s, _)| s < plan.trim + n)
            .collect();
        let total = chunks.len();

        for (b0, group) in chunks.chunks(c.batch_size).enumerate() {
            if progress.cancelled() {
                return Err(SeparationError::Cancelled);
            }
            let t0 = Instant::now();
            for (b, &(start, _)) in group.iter().enumerate() {
                spool.read_frames(start as i64 - plan.trim as i64, &mut interleaved)?;
                for i in 0..chunk_len {
                    planar[i] = interleaved[2 * i];
                    planar[chunk_len + i] = interleaved[2 * i + 1];
                }
                stft.forward(&planar, &mut packed[b * packed_len..(b + 1) * packed_len]);
            }
            let batch = group.len();
            let t1 = Instant::now();
            self.predict(&mut packed[..batch * packed_len], batch)?;
            let t2 = Instant::now();
            t_stft += t1 - t0;
            t_infer += t2 - t1;
            for (b, &(start, len)) in group.iter().enumerate() {
                stft.inverse(&packed[b * packed_len..(b + 1) * packed_len], &mut planar);
                for i in 0..len {
                    interleaved[2 * i] = planar[i];
                    interleaved[2 * i + 1] = planar[chunk_len + i];
                }
                let weight = match c.overlap {
                    Overlap::Fraction(0.0) => vec![1.0; len],
                    _ => symmetric_hann(len),
                };
                acc.add(start as i64, &interleaved[..2 * len], &weight);
            }

            // Positions before the next chunk's start are final.
            let next = chunks
                .get((b0 + 1) * c.batch_size)
                .map_or(plan.total, |&(s, _)| s);
            let upto = next.min(plan.trim + n);
            if upto <= emitted {
                continue;
            }
            raw.clear();
            let from = acc.base() as usize;
            acc.take_until(upto as i64, &mut raw);
            raw.drain(..(emitted - from) * 2);
            let count = upto - emitted;
            mix.resize(count * 2, 0.0);
            spool.read_frames((emitted - plan.trim) as i64, &mut mix)?;
            primary.clear();
            secondary.clear();
            for (r, m) in raw.iter().zip(&mix) {
                let p = c.compensate * r;
                primary.push(p);
                secondary.push(m - p);
            }
            t_stft += t2.elapsed();
            let t3 = Instant::now();
            outputs[0].write(&primary)?;
            outputs[1].write(&secondary)?;
            t_io += t3.elapsed();
            emitted = upto;
            progress.set_fraction(((b0 + 1) * c.batch_size).min(total) as f32 / total as f32);
        }
        tracing::info!(
            model = %self.name,
            chunks = total,
            inference_s = t_infer.as_secs_f64(),
            stft_and_overlap_add_s = t_stft.as_secs_f64(),
            io_s = t_io.as_secs_f64(),
            "MDX separation timings"
        );
        Ok(())
    }
}
