// Keeps a popup (absolutely placed next to its button) inside the window: on a phone a
// right-aligned menu under a button near the left edge would start off screen.
export function keepInViewport(node: HTMLElement, margin = 8) {
	const place = () => {
		node.style.translate = '';
		node.style.maxWidth = `${window.innerWidth - 2 * margin}px`;
		const r = node.getBoundingClientRect();
		let dx = 0;
		if (r.left < margin) dx = margin - r.left;
		else if (r.right > window.innerWidth - margin) dx = window.innerWidth - margin - r.right;
		if (dx) node.style.translate = `${Math.round(dx)}px 0`;
	};
	place();
	window.addEventListener('resize', place);
	return { destroy: () => window.removeEventListener('resize', place) };
}
