/** `SO_REUSEPORT` on TCP listeners arrived in Node 22.12 (and 23.1). */
export function reusePortSupported(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 12);
}
