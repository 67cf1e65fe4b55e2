// Where each decoded block of a stem goes on the AudioContext clock.
//
// Everything is counted in sample frames of one rate (the context runs at the stems'
// rate), so every stem's blocks land on the same frame grid: the stems stay
// sample-synchronous no matter how their blocks are cut.

export interface Loop {
	start: number;
	end: number;
}

/**
 * One stretch of the timeline [from, to) played from context frame `at`. With a speed
 * other than 1, `at` may fall between frames (the sources start sub-sample accurately).
 */
export interface Span {
	index: number;
	at: number;
	from: number;
	to: number;
}

/**
 * A playback "program": start at timeline frame `from` at context frame `at`, play to
 * the end (`length`) or, with a loop that contains the start, to the loop end and then
 * the loop region over and over.
 *
 * `speed` (practice tempo): timeline frames per context frame, so one timeline frame
 * lasts 1/speed context frames (the sources play with playbackRate = speed). `gap`:
 * context frames of silence before each loop repeat (the count-in). With speed 1 and no
 * gap every frame is an integer, as before.
 */
export class Program {
	constructor(
		readonly at: number,
		readonly from: number,
		readonly length: number,
		readonly loop: Loop | null,
		readonly speed = 1,
		readonly gap = 0
	) {}

	private get looping(): boolean {
		const l = this.loop;
		return !!l && l.end - l.start > 0 && this.from < l.end;
	}

	/** Context frames that `timelineFrames` of the timeline last. */
	wall(timelineFrames: number): number {
		return this.speed === 1 ? timelineFrames : timelineFrames / this.speed;
	}

	/** Span number `index` (0 is the first), or null after the end. */
	span(index: number): Span | null {
		if (!this.looping) {
			return index === 0
				? { index, at: this.at, from: this.from, to: this.length }
				: null;
		}
		const l = this.loop!;
		const firstLen = l.end - this.from;
		if (index === 0) return { index, at: this.at, from: this.from, to: l.end };
		const period = this.wall(l.end - l.start) + this.gap;
		return { index, at: this.at + this.wall(firstLen) + this.gap + (index - 1) * period, from: l.start, to: l.end };
	}

	/** The timeline frame heard at context frame `frame` (clamped to the program). */
	positionAt(frame: number): number {
		const elapsed = Math.max(0, frame - this.at);
		const tl = (ctxFrames: number) => (this.speed === 1 ? ctxFrames : ctxFrames * this.speed);
		if (!this.looping) return Math.min(this.length, this.from + tl(elapsed));
		const l = this.loop!;
		const firstLen = this.wall(l.end - this.from);
		if (elapsed < firstLen) return this.from + tl(elapsed);
		const period = this.wall(l.end - l.start) + this.gap;
		const into = (elapsed - firstLen) % period;
		// In the count-in gap the play head waits at the loop start.
		if (into < this.gap) return l.start;
		return Math.min(l.end, l.start + tl(into - this.gap));
	}

	/** Context frame at which timeline frame `frame` of span `span` is heard. */
	frameAt(span: Span, frame: number): number {
		return span.at + this.wall(frame - span.from);
	}

	/** Context frame at which the program ends (Infinity when looping). */
	get endFrame(): number {
		return this.looping ? Infinity : this.at + this.wall(this.length - this.from);
	}
}

/** A piece of a decoded block to start at context frame `at`. */
export interface Piece {
	at: number;
	/** Frames into the block. */
	offset: number;
	frames: number;
}

/**
 * Cuts a block [start, start + frames) to a span. `next` is true when the span is used
 * up by this block (the caller moves on to the following span, seeking the source).
 */
export function place(
	block: { start: number; frames: number },
	span: Span,
	speed = 1
): { piece: Piece | null; next: boolean } {
	const from = Math.max(block.start, span.from);
	const to = Math.min(block.start + block.frames, span.to);
	const next = block.start + block.frames >= span.to;
	if (to <= from) return { piece: null, next };
	return {
		piece: { at: span.at + (speed === 1 ? from - span.from : (from - span.from) / speed), offset: from - block.start, frames: to - from },
		next
	};
}

/**
 * A piece whose start time has (nearly) passed: start it at `now` instead, further in,
 * so it still lines up with the others (a late block costs a dropout, never sync).
 * `piece.at` and `now` are context frames, `offset`/`frames` the block's (timeline)
 * frames, which pass `speed` times as fast.
 */
export function catchUp(piece: Piece, now: number, speed = 1): Piece | null {
	if (piece.at >= now) return piece;
	const late = speed === 1 ? now - piece.at : Math.ceil((now - piece.at) * speed);
	if (late >= piece.frames) return null;
	const at = speed === 1 ? now : piece.at + late / speed;
	return { at, offset: piece.offset + late, frames: piece.frames - late };
}

/** The first context frame at least `lead` seconds from now, on the frame grid. */
export function startFrame(currentTime: number, rate: number, lead: number): number {
	return Math.ceil((currentTime + lead) * rate - 1e-6);
}
