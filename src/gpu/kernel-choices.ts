// Which kernel variant each tunable kernel of a run uses (issue [M]). Launchers ask it when they
// prepare a kernel that has variants, by a key that names the kernel and its real shape
// ("matmul NT 256x128x384"), and note every key they asked for: that list is what the tuner
// measures for the current model. Unset keys fall back to the launcher's default.

export class KernelChoices {
  private readonly chosen = new Map<string, string>();
  private readonly asked = new Set<string>();
  private readonly recent = new Set<string>();

  private bypass = false;

  /** The variant id chosen for `key`, if any (none inside untuned()). */
  get(key: string): string | undefined {
    return this.bypass ? undefined : this.chosen.get(key);
  }

  /** Runs `prepare` as if nothing were tuned: the benches' untuned side, on the same device. */
  async untuned<T>(prepare: () => Promise<T>): Promise<T> {
    this.bypass = true;
    try {
      return await prepare();
    } finally {
      this.bypass = false;
    }
  }

  set(key: string, variant: string): void {
    this.chosen.set(key, variant);
  }

  /** Forgets the choice for `key` (it falls back to the launcher's default). */
  clear(key: string): void {
    this.chosen.delete(key);
  }

  /** Records that a launcher prepared the kernel `key` (with or without a choice). */
  note(key: string): void {
    this.asked.add(key);
    this.recent.add(key);
  }

  /** The keys noted since the last call: what the model built in between uses. */
  takeRecent(): string[] {
    const r = [...this.recent];
    this.recent.clear();
    return r;
  }

  /** Every key a launcher asked for, in first-asked order. */
  get keys(): string[] {
    return [...this.asked];
  }
}
