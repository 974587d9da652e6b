import { constants, copyFile, link, rename, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** Past this many taken names (`name (1).ext` ... ), a receiver gives up rather than search forever. */
const MAX_NUMBERED_NAMES = 1000;

/** `report.pdf`, 2 -> `report (2).pdf`: the name a browser gives a second download. */
export function numberedName(name: string, n: number): string {
  const extension = extname(name);
  return `${name.slice(0, name.length - extension.length)} (${n})${extension}`;
}

/**
 * Gives the finished file at `partPath` its name in `dir`, and resolves with that name. An
 * existing file is never replaced unless `overwrite`: the file gets the first free name of
 * `name`, `name (1).ext`, `name (2).ext`, ... Each try is a hard link, which fails if the name
 * exists, so two transfers finishing at once can never take the same name (a rename would
 * silently replace). Where links are not supported, an exclusive copy does the same, slower.
 */
export async function saveAs(
  partPath: string,
  dir: string,
  name: string,
  { overwrite = false }: { readonly overwrite?: boolean } = {},
): Promise<string> {
  if (overwrite) {
    await rename(partPath, join(dir, name));
    return name;
  }
  for (let n = 0; n <= MAX_NUMBERED_NAMES; n += 1) {
    const candidate = n === 0 ? name : numberedName(name, n);
    try {
      await link(partPath, join(dir, candidate)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') throw error;
        return copyFile(partPath, join(dir, candidate), constants.COPYFILE_EXCL);
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    await rm(partPath, { force: true });
    return candidate;
  }
  throw new Error(`${name} and ${MAX_NUMBERED_NAMES} numbered names after it are all taken`);
}
