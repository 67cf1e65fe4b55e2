import { describe, expect, it } from 'vitest';
import { fileBytesSent } from './uploads';

describe('fileBytesSent', () => {
	it("maps the multipart body's progress onto the file's bytes", () => {
		expect(fileBytesSent(0, 1200, 1000)).toBe(0);
		expect(fileBytesSent(600, 1200, 1000)).toBe(500);
		expect(fileBytesSent(1200, 1200, 1000)).toBe(1000);
	});
	it('never reports more than the file', () => {
		expect(fileBytesSent(1300, 1200, 1000)).toBe(1000);
		expect(fileBytesSent(5000, 0, 1000)).toBe(1000);
	});
});
