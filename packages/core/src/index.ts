export { SockkitError } from './sockkit-error.js';
