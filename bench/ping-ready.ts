/** Polls `url`/ping every 10 ms until it answers 2xx or `tries` polls have gone by (a bench server starting). */
export async function pingReady(url: string, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    try {
      if ((await fetch(`${url}/ping`)).ok) return
    } catch {}
    await Bun.sleep(10)
  }
}
