import { ref } from 'vue';
import type { DownloadedFile } from '../api/http';
import { saveBlob } from '../utils/csv';

/**
 * A file export on demand: `run()` asks for the file (one request at a time),
 * saves it under the name the server gave it (`fallbackName` when it gave
 * none), and keeps the failure in `error` for the page to show.
 */
export function useCsvDownload(fetchFile: () => Promise<DownloadedFile>, fallbackName: string) {
  const running = ref(false);
  const error = ref<unknown>(null);
  /** The name the last export was saved under. */
  const savedAs = ref<string | null>(null);

  async function run(): Promise<boolean> {
    if (running.value) return false;
    running.value = true;
    error.value = null;
    try {
      const file = await fetchFile();
      const name = file.filename ?? fallbackName;
      saveBlob(name, file.blob);
      savedAs.value = name;
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      running.value = false;
    }
  }

  return { running, error, savedAs, run };
}
