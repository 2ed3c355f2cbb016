/** The type of vocabulary.js, for the TypeScript build of src/ (which imports it but does not compile web/). */
export declare const vocabulary: Readonly<Record<'zh-CN' | 'en', Readonly<Record<string, string>>>>;
