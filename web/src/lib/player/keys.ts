// The player's keyboard shortcuts.

export type Action =
	| { kind: 'toggle' }
	| { kind: 'seek'; by: number }
	| { kind: 'home' }
	| { kind: 'select'; index: number }
	| { kind: 'move'; by: number }
	| { kind: 'mute' }
	| { kind: 'solo' }
	| { kind: 'loop' }
	| { kind: 'loop-in' }
	| { kind: 'loop-out' }
	| { kind: 'take'; by: -1 | 1 }
	| { kind: 'loop-take' }
	| { kind: 'split' }
	| { kind: 'loop-nudge'; edge: 'start' | 'end'; by: number }
	| { kind: 'zoom'; by: 'in' | 'out' }
	| { kind: 'speed'; by: number }
	| { kind: 'pitch'; by: number }
	| { kind: 'practice-reset' }
	| { kind: 'click' }
	| { kind: 'help' };

/** How far , and . move a loop edge (s). */
export const LOOP_NUDGE = 0.1;

export const SHORTCUTS: { keys: string; what: string }[] = [
	{ keys: 'Space', what: 'Play / pause' },
	{ keys: '← →', what: 'Back / forward 5 s (Shift: 15 s)' },
	{ keys: 'Home', what: 'To the start (or the loop start)' },
	{ keys: '1 – 9', what: 'Select a stem' },
	{ keys: '↑ ↓', what: 'Select the previous / next stem' },
	{ keys: 'M', what: 'Mute the selected stem' },
	{ keys: 'S', what: 'Solo the selected stem' },
	{ keys: 'L', what: 'Loop on / off' },
	{ keys: 'I O', what: 'Loop start / end at the play head' },
	{ keys: ', .', what: 'Loop start 0.1 s earlier / later (Shift: loop end)' },
	{ keys: '+ −', what: 'Zoom the timeline in / out' },
	{ keys: '[ ]', what: 'To the previous / next take' },
	{ keys: 'T', what: 'Loop the take at the play head' },
	{ keys: 'X', what: 'Split the take at the play head' },
	{ keys: "; '", what: 'Speed −5 % / +5 % (pitch kept)' },
	{ keys: ': "', what: 'Pitch down / up a semitone (Shift+; Shift+\')' },
	{ keys: 'R', what: 'Speed and pitch back to normal' },
	{ keys: 'K', what: 'Click on / off' },
	{ keys: '?', what: 'Show these shortcuts' }
];

/**
 * The action for a key press, or null. `onRange`: focus is on a slider, which keeps
 * the arrow keys for itself.
 */
export function shortcutFor(e: Pick<KeyboardEvent, 'key' | 'shiftKey'>, onRange = false): Action | null {
	const k = e.key;
	if (k === ' ' || k === 'Spacebar') return { kind: 'toggle' };
	if (onRange && k.startsWith('Arrow')) return null;
	if (k === 'ArrowLeft') return { kind: 'seek', by: e.shiftKey ? -15 : -5 };
	if (k === 'ArrowRight') return { kind: 'seek', by: e.shiftKey ? 15 : 5 };
	if (k === 'ArrowUp') return { kind: 'move', by: -1 };
	if (k === 'ArrowDown') return { kind: 'move', by: 1 };
	if (k === 'Home' && !onRange) return { kind: 'home' };
	if (/^[1-9]$/.test(k)) return { kind: 'select', index: Number(k) - 1 };
	if (k === '[') return { kind: 'take', by: -1 };
	if (k === ']') return { kind: 'take', by: 1 };
	// Shift+, and Shift+. are < and > on most layouts.
	if (k === ',' || k === '<') return { kind: 'loop-nudge', edge: e.shiftKey || k === '<' ? 'end' : 'start', by: -LOOP_NUDGE };
	if (k === '.' || k === '>') return { kind: 'loop-nudge', edge: e.shiftKey || k === '>' ? 'end' : 'start', by: LOOP_NUDGE };
	// Speed and pitch: ; and ' (+ Shift, which gives : and " on most layouts, for pitch).
	if (k === ';' || k === ':') return e.shiftKey || k === ':' ? { kind: 'pitch', by: -1 } : { kind: 'speed', by: -0.05 };
	if (k === "'" || k === '"') return e.shiftKey || k === '"' ? { kind: 'pitch', by: 1 } : { kind: 'speed', by: 0.05 };
	if (k === '+' || k === '=') return { kind: 'zoom', by: 'in' };
	if (k === '-' || k === '_') return { kind: 'zoom', by: 'out' };
	switch (k.toLowerCase()) {
		case 'm':
			return { kind: 'mute' };
		case 's':
			return { kind: 'solo' };
		case 'l':
			return { kind: 'loop' };
		case 'i':
			return { kind: 'loop-in' };
		case 'o':
			return { kind: 'loop-out' };
		case 'r':
			return { kind: 'practice-reset' };
		case 'k':
			return { kind: 'click' };
		case 't':
			return { kind: 'loop-take' };
		case 'x':
			return { kind: 'split' };
		case '?':
			return { kind: 'help' };
	}
	return null;
}
