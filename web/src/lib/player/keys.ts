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
	| { kind: 'help' };

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
	{ keys: '[ ]', what: 'To the previous / next take' },
	{ keys: 'T', what: 'Loop the take at the play head' },
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
		case 't':
			return { kind: 'loop-take' };
		case '?':
			return { kind: 'help' };
	}
	return null;
}
