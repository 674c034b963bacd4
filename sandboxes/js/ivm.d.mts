// Types of ivm.mjs (plain JS: the isolate host and the install script run it without a build).
export declare const IVM_LINES: Record<number, string>;
export declare const SUPPORTED_NODE: string;
export declare function ivmLine(nodeVersion?: string): string | null;
export declare function ivmPackageDir(from?: string | URL, nodeVersion?: string): string | null;
export declare function loadIvm(): unknown;
