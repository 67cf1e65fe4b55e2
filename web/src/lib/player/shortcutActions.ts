// What each keyboard shortcut does to the player (the keys themselves: keys.ts).
import type { PlayerSession } from './session.svelte';
import type { Action } from './keys';
import { moveEdge } from './loopEdges';
import { nextTake, previousTake } from './takes';

/** What a shortcut acts on: the player and the page's takes, zoom and help. */
export interface ShortcutTarget {
	session: PlayerSession;
	takes: { startSeconds: number; endSeconds: number }[];
	/** The take at the play head (-1: none). */
	currentTake: number;
	jumpToTake(i: number): unknown;
	loopTake(i: number): unknown;
	/** Splits take `i` at `at` seconds (X; the take list's "Split at play head"). */
	splitTake?(i: number, at: number): unknown;
	zoomTo(by: 'in' | 'out'): void;
	toggleHelp(): void;
}

export function runShortcut(action: Action, x: ShortcutTarget): void {
	const p = x.session;
	const n = p.stems.length;
	switch (action.kind) {
		case 'toggle':
			p.toggle();
			break;
		case 'seek':
			p.nudge(action.by);
			break;
		case 'home':
			p.seek(p.loopOn && p.loop ? p.loop.start : 0);
			break;
		case 'select':
			if (action.index < n) p.selected = action.index;
			break;
		case 'move':
			p.selected = (p.selected + action.by + n) % n;
			break;
		case 'mute':
			p.toggleMute(p.selected);
			break;
		case 'solo':
			p.toggleSolo(p.selected);
			break;
		case 'loop':
			p.toggleLoop();
			break;
		case 'loop-in': {
			const end = p.loop?.end ?? p.duration;
			p.setLoop({ start: p.time, end: end > p.time ? end : p.duration }, true);
			break;
		}
		case 'loop-out': {
			const start = p.loop?.start ?? 0;
			p.setLoop({ start: start < p.time ? start : 0, end: p.time }, true);
			break;
		}
		case 'take': {
			const i = action.by > 0 ? nextTake(x.takes, p.time) : previousTake(x.takes, p.time);
			if (i >= 0) x.jumpToTake(i);
			break;
		}
		case 'loop-take': {
			// The take at the play head; between takes, the next one (else the last).
			const next = nextTake(x.takes, p.time);
			const i = x.currentTake >= 0 ? x.currentTake : next >= 0 ? next : x.takes.length - 1;
			if (i >= 0) x.loopTake(i);
			break;
		}
		case 'split':
			if (x.currentTake >= 0) x.splitTake?.(x.currentTake, p.time);
			break;
		case 'loop-nudge':
			if (p.loop) p.setLoop(moveEdge(p.loop, action.edge, p.loop[action.edge] + action.by, p.duration));
			break;
		case 'zoom':
			x.zoomTo(action.by);
			break;
		case 'speed':
			p.setPractice({ speed: p.speed + action.by });
			break;
		case 'pitch':
			p.setPractice({ semitones: p.semitones + action.by });
			break;
		case 'practice-reset':
			p.resetPractice();
			break;
		case 'click':
			if (p.hasGrid) p.clickOn = !p.clickOn;
			break;
		case 'help':
			x.toggleHelp();
			break;
	}
}
