// Types for the parts of signalsmith-stretch (an untyped ES module) that the player uses.
declare module 'signalsmith-stretch' {
	export interface StretchSchedule {
		output?: number;
		active?: boolean;
		input?: number;
		rate?: number;
		semitones?: number;
		tonalityHz?: number;
		formantSemitones?: number;
		formantCompensation?: boolean;
		formantBaseHz?: number;
		loopStart?: number;
		loopEnd?: number;
	}
	export interface StretchNode extends AudioWorkletNode {
		inputTime: number;
		schedule(change: StretchSchedule, adjustPrevious?: boolean): Promise<unknown>;
		start(when?: number): Promise<unknown>;
		stop(when?: number): Promise<unknown>;
		/** Seconds from input to output in live mode. */
		latency(): Promise<number>;
		configure(config: { blockMs?: number | null; intervalMs?: number; splitComputation?: boolean; preset?: 'default' | 'cheaper' }): Promise<unknown>;
	}
	export default function SignalsmithStretch(context: BaseAudioContext, options?: AudioWorkletNodeOptions): Promise<StretchNode>;
}
