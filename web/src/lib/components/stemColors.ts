// A stable colour per stem: the usual names get their own, others cycle a palette.
const NAMED: Record<string, string> = {
	vocals: 'var(--stem-vocals)',
	drums: 'var(--stem-drums)',
	bass: 'var(--stem-bass)',
	other: 'var(--stem-other)',
	instrumental: 'var(--stem-other)',
	accompaniment: 'var(--stem-other)'
};
const CYCLE = ['var(--stem-5)', 'var(--stem-6)', 'var(--stem-other)', 'var(--stem-bass)', 'var(--stem-drums)', 'var(--stem-vocals)'];

export function stemColor(name: string, index: number): string {
	return NAMED[name.toLowerCase()] ?? CYCLE[index % CYCLE.length];
}
