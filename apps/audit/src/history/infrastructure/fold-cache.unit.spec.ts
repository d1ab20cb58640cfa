import { randomUUID } from 'node:crypto';
import { emptyFold, estimatedFoldBytes, type OrganizationFold } from '../domain/organization-fold';
import { FoldCache } from './fold-cache';

/** A fold holding `items` projects. */
function foldWith(items: number): OrganizationFold {
  const fold = emptyFold(randomUUID());
  for (let index = 0; index < items; index++) fold.projects[`p${index}`] = { status: 'deleted' };
  return fold;
}

describe('FoldCache', () => {
  it('keeps folds up to its bytes, dropping the least recently used first', () => {
    const [a, b, c] = [foldWith(10), foldWith(10), foldWith(10)];
    const cache = new FoldCache(2 * estimatedFoldBytes(a));
    cache.set('a', a);
    cache.set('b', b);
    cache.get('a');
    cache.set('c', c);

    expect(cache.get('a')).toBe(a);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe(c);
    expect(cache.bytes).toBe(2 * estimatedFoldBytes(a));
  });

  it('keeps the fold set last however large, alone', () => {
    const cache = new FoldCache(estimatedFoldBytes(foldWith(10)));
    cache.set('small', foldWith(5));
    const large = foldWith(1000);
    cache.set('large', large);

    expect(cache.get('large')).toBe(large);
    expect(cache.get('small')).toBeUndefined();
    expect(cache.bytes).toBe(estimatedFoldBytes(large));
  });

  it('measures a fold again when it is set again, grown', () => {
    const fold = foldWith(10);
    const cache = new FoldCache(estimatedFoldBytes(foldWith(100)));
    cache.set('grown', fold);
    fold.projects.more = { status: 'deleted' };
    cache.set('grown', fold);

    expect(cache.bytes).toBe(estimatedFoldBytes(fold));
    cache.clear();
    expect(cache.bytes).toBe(0);
  });
});
