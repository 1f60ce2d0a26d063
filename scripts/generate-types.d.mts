/** Map of absolute output path to the generated file content, for every schema and target package. */
export function generateAll(): Promise<Map<string, string>>;
