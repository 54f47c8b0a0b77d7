/**
 * The installed packages of the final filesystem and the layer that installed each, from the
 * package databases the layers carry (src/files/packages.ts):
 *
 *   dpkg, apk  the database as the final filesystem has it lists what is installed; each
 *              package is credited to the lowest layer whose copy of the database already lists
 *              it at the same version (the step that installed it).
 *   python     a dist-info RECORD still present in the final filesystem, in the layer that wrote it.
 *   npm        a package.json still present; the size is the bytes under its folder, nested
 *              node_modules excluded (each nested package is its own row).
 */
import type { FsTree } from './filesystem.js';
import { npmPackageDir } from './packages.js';
import type { LayerListing } from './tar-walk.js';

export interface PackageRow {
  manager: 'dpkg' | 'apk' | 'python' | 'npm';
  name: string;
  version: string;
  /** Bytes, or null when the database does not say. */
  size: number | null;
  layer: number;
}

function npmBytes(tree: FsTree, dir: string): number {
  const node = tree.find(dir);
  if (node === undefined) return 0;
  let total = 0;
  for (const f of tree.files(node)) if (!tree.paths.pathOf(f).slice(dir.length).includes('/node_modules/')) total += tree.sizeOf(f);
  return total;
}

export function packagesOf(tree: FsTree, layers: { index: number; listing: LayerListing }[]): PackageRow[] {
  const rows: PackageRow[] = [];
  for (const { index, listing } of layers) {
    for (const p of listing.packages) {
      const file = tree.find(p.source);
      // Only the copy of a database that survives in the final filesystem speaks for it.
      if (file === undefined || tree.layerOf(file) !== index) continue;
      if (p.manager === 'dpkg' || p.manager === 'apk') {
        const first = layers.find((l) => l.listing.packages.some((q) => q.manager === p.manager && q.source === p.source && q.name === p.name && q.version === p.version));
        rows.push({ manager: p.manager, name: p.name, version: p.version, size: p.size, layer: first?.index ?? index });
      } else if (p.manager === 'npm') {
        rows.push({ manager: 'npm', name: p.name, version: p.version, size: npmBytes(tree, npmPackageDir(p.source)), layer: index });
      } else rows.push({ manager: p.manager, name: p.name, version: p.version, size: p.size, layer: index });
    }
  }
  return rows.sort((a, b) => (b.size ?? -1) - (a.size ?? -1) || (a.name < b.name ? -1 : 1));
}
