//! Vectorisable natural log and lane-parallel sums for the per-frame feature loop.
//!
//! Why not `f32::ln` and `Iterator::sum`: libm's `logf` is a call per bin (1,025 bins a
//! frame, ~86 frames a second), which keeps the compiler from vectorising the loop, and a
//! float `sum()` is a sequential chain (IEEE order). Together they were ~75 % of the take
//! analysis' time. These are plain arithmetic on bit patterns that the compiler turns
//! into SIMD.

/// ln(x) for finite x > 0 (subnormals and 0 give a large negative number, never NaN),
/// within ~1e-7 absolute of `f32::ln` for normal x.
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    // x = m · 2^e with m in [√½, √2): ln x = e·ln 2 + ln m, and ln m by the series
    // 2·atanh(t) = 2(t + t³/3 + t⁵/5 + t⁷/7 + t⁹/9) with t = (m − 1)/(m + 1), |t| < 0.172.
    let bits = x.max(f32::MIN_POSITIVE).to_bits();
    // Subtracting √½'s bits moves the exponent boundary from 1 to √½.
    let shifted = bits.wrapping_sub(0x3f35_04f3);
    let e = ((shifted as i32) >> 23) as f32;
    let m = f32::from_bits((shifted & 0x007f_ffff).wrapping_add(0x3f35_04f3));
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let series = t * (2.0 + t2 * (2.0 / 3.0 + t2 * (0.4 + t2 * (2.0 / 7.0 + t2 * (2.0 / 9.0)))));
    e * std::f32::consts::LN_2 + series
}

const LANES: usize = 8;

/// Σ f(x) over `xs`, in eight lanes (the rounding differs from a sequential sum by a few
/// ulps of the total).
#[inline(always)]
pub fn sum_map(xs: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut acc = [0.0f32; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += f(x);
        }
    }
    let tail: f32 = chunks.remainder().iter().map(|&x| f(x)).sum();
    acc.iter().sum::<f32>() + tail
}

#[inline(always)]
pub fn sum(xs: &[f32]) -> f32 {
    sum_map(xs, |x| x)
}

/// Σ a[i]·b[i] over the shorter of the two, in eight lanes.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; LANES];
    let (mut ca, mut cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    for (x, y) in (&mut ca).zip(&mut cb) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    acc.iter().sum::<f64>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_matches_libm() {
        // Within a few ulps of the result (an ulp of ln 1e30 ≈ 69 is 7.6e-6).
        let mut x = 1e-30f32;
        while x < 1e30 {
            let err = (ln(x) - x.ln()).abs();
            assert!(err <= 1e-6 + 2e-7 * x.ln().abs(), "ln({x}): off by {err}");
            x *= 1.0007;
        }
        for x in [1.0f32, 2.0, 0.5, std::f32::consts::E, 1e-3, 1234.5] {
            assert!((ln(x) - x.ln()).abs() < 1e-6, "{x}");
        }
        assert!(ln(0.0).is_finite() && ln(0.0) < -80.0);
    }

    #[test]
    fn sums_agree_with_sequential() {
        let xs: Vec<f32> = (0..1037).map(|i| (i as f32 * 0.37).sin().abs()).collect();
        let seq: f32 = xs.iter().sum();
        assert!((sum(&xs) - seq).abs() < 1e-3 * seq);
        let sq: f32 = xs.iter().map(|x| x * x).sum();
        assert!((sum_map(&xs, |x| x * x) - sq).abs() < 1e-3 * sq);
        let wide: Vec<f64> = xs.iter().map(|&x| f64::from(x)).collect();
        let d: f64 = wide.iter().zip(&wide[3..]).map(|(x, y)| x * y).sum();
        assert!((dot(&wide, &wide[3..]) - d).abs() < 1e-9 * d);
    }
}
