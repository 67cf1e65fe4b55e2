// Closes a popup on a click outside it or on Escape (a Svelte action). "Outside" means
// outside its parent, which holds the button that toggles it.
export function dismiss(node: HTMLElement, close: () => void) {
	let onclose = close;
	const click = (e: MouseEvent) => {
		if (!(node.parentElement ?? node).contains(e.target as Node)) onclose();
	};
	const key = (e: KeyboardEvent) => {
		if (e.key === 'Escape') onclose();
	};
	// Not the click that opened it.
	const t = setTimeout(() => {
		window.addEventListener('click', click, true);
		window.addEventListener('keydown', key);
	});
	return {
		update(next: () => void) {
			onclose = next;
		},
		destroy() {
			clearTimeout(t);
			window.removeEventListener('click', click, true);
			window.removeEventListener('keydown', key);
		}
	};
}
