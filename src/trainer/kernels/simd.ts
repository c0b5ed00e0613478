// simd.wat assembled: element-wise kernels in wasm SIMD that run on the tfjs wasm heap (the module
// imports the backend's memory), where a JS loop would be scalar. Regenerate after editing
// simd.wat (Debian's wabt):
//   wat2wasm simd.wat -o /tmp/p.wasm && base64 -w0 /tmp/p.wasm              → PLAIN
//   sed 's/(memory 1)/(memory 1 65536 shared)/' simd.wat > /tmp/s.wat &&
//   wat2wasm --enable-threads /tmp/s.wat -o /tmp/s.wasm && base64 -w0 /tmp/s.wasm  → SHARED (for the threaded build's memory)
// test/trainer/simd-kernel.test.ts checks these against simd.wat wherever wat2wasm is installed.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmApi, type WasmMemory } from './heap';
import { type HelperThread, readyHelperThread, startHelperThread } from './helper-thread';

export const PLAIN = 'AGFzbQEAAAABUQZgD39/f39/f39/fX19fX19fQBgCX9/f39/f39/fwBgEH9/f39/f39/f39/f39/f38AYA5/f39/f39/f39/f39/fwBgA39/fwBgBX9/f39/AAIPAQNlbnYGbWVtb3J5AgABAwgHAAECAgMEBQdgBwRhZGFtAAAObWF4UG9vbEdyYWQyeDIAARFjb252RmlsdGVyR3JhZDR4OAACEmNvbnZGaWx0ZXJHcmFkMXgxNgADB2NvbnY0eDgABAdhZGRJbnRvAAUHYWRkQmlhcwAGCv8YB+ICAwN/CnsDfSAI/RMhEiAJ/RMhEyAK/RMhFCAL/RMhFSAM/RMhFiAN/RMhFyAO/RMhGCAHQXxxIRECQANAIA8gEU8NASAPQQJ0IRAgAyAQav0ABAAhGSABIBBq/QAEACAS/eYBIBkgFP3mAf3kASEaIAIgEGr9AAQAIBP95gEgGSAZ/eYBIBX95gH95AEhGyAFIBBqIBr9CwQAIAYgEGogG/0LBAAgBCAQaiAAIBBq/QAEACAWIBr95gEgGyAX/eYB/eMBIBj95AH95wH95QH9CwQAIA9BBGohDwwACwsCQANAIA8gB08NASAPQQJ0IRAgAyAQaioCACEcIAEgEGoqAgAgCJQgHCAKlJIhHSACIBBqKgIAIAmUIBwgHJQgC5SSIR4gBSAQaiAdOAIAIAYgEGogHjgCACAEIBBqIAAgEGoqAgAgDCAdlCAeIA2UkSAOkpWTOAIAIA9BAWohDwwACwsLuQMCCn8HeyAFIAZsQQJ0IQ0gAkEAIAMgBGwgBSAGbGxBAnT8CwAgASESQQAhCQJAA0AgCSADTw0BQQAhCgJAA0AgCiAHTw0BQQAhCwJAA0AgCyAITw0BIAkgBGwgCkEBdGogBWwgC0EBdGogBmxBAnQhDkEAIQwCQANAIAwgBk8NASAOIAZBAnRqIQ8gDiANaiEQIA8gDWohEf0MAACA/wAAgP8AAID/AACA/yETIAAgDmr9AAQAIRkgGSAT/UQhFSAZIBMgFf1SIRMgACAPav0ABAAhGSAZIBP9RCEWIBkgEyAW/VIhEyAAIBBq/QAEACEZIBkgE/1EIRcgGSATIBf9UiETIAAgEWr9AAQAIRkgGSAT/UQhGCAXIBj9TyEXIBYgFyAY/VD9TyEWIBUgFiAXIBj9UP1Q/U8hFSAS/QAEACEUIAIgDmogFCAV/U79CwQAIAIgD2ogFCAW/U79CwQAIAIgEGogFCAX/U79CwQAIAIgEWogFCAY/U79CwQAIA5BEGohDiASQRBqIRIgDEEEaiEMDAALCyALQQFqIQsMAAsLIApBAWohCgwACwsgCUEBaiEJDAALCwutBgISfwt7IAlBAnQhICANIAZsQQJ0ISEgAkEAIAogC2wgBmwgCWxBAnT8CwBBACEQAkADQCAQIANPDQEgACAQIARsIAUgBmxsQQJ0aiEaIAEgECAHbCAIIAlsbEECdGohG0EAIRECQANAIBEgCk8NAUEAIRICQANAIBIgC08NASAPIBJrIRkgGSANQQFraiANbUEAIBlBAEobIRYgBUEBayAZaiEZIBkgDW1BAWpBACAZQQBOGyEXIBcgCEoEQCAIIRcLIBYgF0gEQEEAIRMCQANAIBMgBk8NAUEAIRQCQANAIBQgCU8NASACIBEgC2wgEmogBmwgE2ogCWwgFGpBAnRqIRwgHP0ABAAhIiAc/QAEECEjIBwgIEEBbGr9AAQAISQgHCAgQQFsav0ABBAhJSAcICBBAmxq/QAEACEmIBwgIEECbGr9AAQQIScgHCAgQQNsav0ABAAhKCAcICBBA2xq/QAEECEpQQAhFQJAA0AgFSAHTw0BIBUgDGwgEWogDmshGCAYIARJBEAgGiAYIAVsIBYgDWwgEmogD2tqIAZsIBNqQQJ0aiEdIBsgFSAIbCAWaiAJbCAUakECdGohHiAeIBcgFmsgIGxqIR8DQCAe/QAEACEqIB79AAQQISsgHf0JAgAhLCAiICwgKv3mAf3kASEiICMgLCAr/eYB/eQBISMgHf0JAgQhLCAkICwgKv3mAf3kASEkICUgLCAr/eYB/eQBISUgHf0JAgghLCAmICwgKv3mAf3kASEmICcgLCAr/eYB/eQBIScgHf0JAgwhLCAoICwgKv3mAf3kASEoICkgLCAr/eYB/eQBISkgHSAhaiEdIB4gIGohHiAeIB9JDQALCyAVQQFqIRUMAAsLIBwgIv0LBAAgHCAj/QsEECAcICBBAWxqICT9CwQAIBwgIEEBbGogJf0LBBAgHCAgQQJsaiAm/QsEACAcICBBAmxqICf9CwQQIBwgIEEDbGogKP0LBAAgHCAgQQNsaiAp/QsEECAUQQhqIRQMAAsLIBNBBGohEwwACwsLIBJBAWohEgwACwsgEUEBaiERDAALCyAQQQFqIRAMAAsLC+UEAhJ/CXsgCUECdCEgIA0gBmxBAnQhISACQQAgCiALbCAGbCAJbEECdPwLAEEAIRACQANAIBAgA08NASAAIBAgBGwgBSAGbGxBAnRqIRogASAQIAdsIAggCWxsQQJ0aiEbQQAhEQJAA0AgESAKTw0BQQAhEgJAA0AgEiALTw0BIA8gEmshGSAZIA1BAWtqIA1tQQAgGUEAShshFiAFQQFrIBlqIRkgGSANbUEBakEAIBlBAE4bIRcgFyAISgRAIAghFwsgFiAXSARAQQAhEwJAA0AgEyAGTw0BQQAhFAJAA0AgFCAJTw0BIAIgESALbCASaiAGbCATaiAJbCAUakECdGohHCAc/QAEACEiIBz9AAQQISMgHP0ABCAhJCAc/QAEMCElQQAhFQJAA0AgFSAHTw0BIBUgDGwgEWogDmshGCAYIARJBEAgGiAYIAVsIBYgDWwgEmogD2tqIAZsIBNqQQJ0aiEdIBsgFSAIbCAWaiAJbCAUakECdGohHiAeIBcgFmsgIGxqIR8DQCAe/QAEACEmIB79AAQQIScgHv0ABCAhKCAe/QAEMCEpIB39CQIAISogIiAqICb95gH95AEhIiAjICogJ/3mAf3kASEjICQgKiAo/eYB/eQBISQgJSAqICn95gH95AEhJSAdICFqIR0gHiAgaiEeIB4gH0kNAAsLIBVBAWohFQwACwsgHCAi/QsEACAcICP9CwQQIBwgJP0LBCAgHCAl/QsEMCAUQRBqIRQMAAsLIBNBAWohEwwACwsLIBJBAWohEgwACwsgEUEBaiERDAALCyAQQQFqIRAMAAsLC+gFAg9/C3sgCUECdCEWIA0gBmxBAnQhFyAXQQF0IRggGCAXaiEZIAsgBmxBAnQhGiAFIAZsQQJ0IRsgGiAJbCEcQQAhDgJAA0AgDiADTw0BQQAhDwJAA0AgDyAHTw0BQQAhEAJAA0AgECAITw0BIBBBBGogCEsEQCAIQQRrIRALQQAhEQJAA0AgESAJTw0B/QwAAAAAAAAAAAAAAAAAAAAAIR39DAAAAAAAAAAAAAAAAAAAAAAhHv0MAAAAAAAAAAAAAAAAAAAAACEf/QwAAAAAAAAAAAAAAAAAAAAAISD9DAAAAAAAAAAAAAAAAAAAAAAhIf0MAAAAAAAAAAAAAAAAAAAAACEi/QwAAAAAAAAAAAAAAAAAAAAAISP9DAAAAAAAAAAAAAAAAAAAAAAhJEEAIRICQANAIBIgCk8NASAAIA4gBGwgDyAMbCASamogG2wgECAXbGpqIRMgASASIBxsIBFBAnRqaiEUIBMgGmohFQNAIBT9AAQAISUgFP0ABBAhJiAT/QkCACEnIB0gJyAl/eYB/eQBIR0gHiAnICb95gH95AEhHiATIBdq/QkCACEnIB8gJyAl/eYB/eQBIR8gICAnICb95gH95AEhICATIBhq/QkCACEnICEgJyAl/eYB/eQBISEgIiAnICb95gH95AEhIiATIBlq/QkCACEnICMgJyAl/eYB/eQBISMgJCAnICb95gH95AEhJCAUIBZqIRQgE0EEaiETIBMgFUkNAAsgEkEBaiESDAALCyACIA4gB2wgD2ogCGwgEGogCWwgEWpBAnRqIRMgEyAd/QsEACATIB79CwQQIBMgFkEBbGogH/0LBAAgEyAWQQFsaiAg/QsEECATIBZBAmxqICH9CwQAIBMgFkECbGogIv0LBBAgEyAWQQNsaiAj/QsEACATIBZBA2xqICT9CwQQIBFBCGohEQwACwsgEEEEaiEQDAALCyAPQQFqIQ8MAAsLIA5BAWohDgwACwsLegECfyAAIAJBAnRqIQMgACACQXxxQQJ0aiEEAkADQCAAIARPDQEgACAA/QAEACAB/QAEAP3kAf0LBAAgAEEQaiEAIAFBEGohAQwACwsCQANAIAAgA08NASAAIAAqAgAgASoCAJI4AgAgAEEEaiEAIAFBBGohAQwACwsLYwEEfyAEQQJ0IQggACADIAhsaiEFAkADQCAAIAVPDQEgACAIaiEGIAEhBwNAIAIgAP0ABAAgB/0ABAD95AH9CwQAIABBEGohACAHQRBqIQcgAkEQaiECIAAgBkkNAAsMAAsLCw==';
export const SHARED = 'AGFzbQEAAAABUQZgD39/f39/f39/fX19fX19fQBgCX9/f39/f39/fwBgEH9/f39/f39/f39/f39/f38AYA5/f39/f39/f39/f39/fwBgA39/fwBgBX9/f39/AAISAQNlbnYGbWVtb3J5AgMBgIAEAwgHAAECAgMEBQdgBwRhZGFtAAAObWF4UG9vbEdyYWQyeDIAARFjb252RmlsdGVyR3JhZDR4OAACEmNvbnZGaWx0ZXJHcmFkMXgxNgADB2NvbnY0eDgABAdhZGRJbnRvAAUHYWRkQmlhcwAGCv8YB+ICAwN/CnsDfSAI/RMhEiAJ/RMhEyAK/RMhFCAL/RMhFSAM/RMhFiAN/RMhFyAO/RMhGCAHQXxxIRECQANAIA8gEU8NASAPQQJ0IRAgAyAQav0ABAAhGSABIBBq/QAEACAS/eYBIBkgFP3mAf3kASEaIAIgEGr9AAQAIBP95gEgGSAZ/eYBIBX95gH95AEhGyAFIBBqIBr9CwQAIAYgEGogG/0LBAAgBCAQaiAAIBBq/QAEACAWIBr95gEgGyAX/eYB/eMBIBj95AH95wH95QH9CwQAIA9BBGohDwwACwsCQANAIA8gB08NASAPQQJ0IRAgAyAQaioCACEcIAEgEGoqAgAgCJQgHCAKlJIhHSACIBBqKgIAIAmUIBwgHJQgC5SSIR4gBSAQaiAdOAIAIAYgEGogHjgCACAEIBBqIAAgEGoqAgAgDCAdlCAeIA2UkSAOkpWTOAIAIA9BAWohDwwACwsLuQMCCn8HeyAFIAZsQQJ0IQ0gAkEAIAMgBGwgBSAGbGxBAnT8CwAgASESQQAhCQJAA0AgCSADTw0BQQAhCgJAA0AgCiAHTw0BQQAhCwJAA0AgCyAITw0BIAkgBGwgCkEBdGogBWwgC0EBdGogBmxBAnQhDkEAIQwCQANAIAwgBk8NASAOIAZBAnRqIQ8gDiANaiEQIA8gDWohEf0MAACA/wAAgP8AAID/AACA/yETIAAgDmr9AAQAIRkgGSAT/UQhFSAZIBMgFf1SIRMgACAPav0ABAAhGSAZIBP9RCEWIBkgEyAW/VIhEyAAIBBq/QAEACEZIBkgE/1EIRcgGSATIBf9UiETIAAgEWr9AAQAIRkgGSAT/UQhGCAXIBj9TyEXIBYgFyAY/VD9TyEWIBUgFiAXIBj9UP1Q/U8hFSAS/QAEACEUIAIgDmogFCAV/U79CwQAIAIgD2ogFCAW/U79CwQAIAIgEGogFCAX/U79CwQAIAIgEWogFCAY/U79CwQAIA5BEGohDiASQRBqIRIgDEEEaiEMDAALCyALQQFqIQsMAAsLIApBAWohCgwACwsgCUEBaiEJDAALCwutBgISfwt7IAlBAnQhICANIAZsQQJ0ISEgAkEAIAogC2wgBmwgCWxBAnT8CwBBACEQAkADQCAQIANPDQEgACAQIARsIAUgBmxsQQJ0aiEaIAEgECAHbCAIIAlsbEECdGohG0EAIRECQANAIBEgCk8NAUEAIRICQANAIBIgC08NASAPIBJrIRkgGSANQQFraiANbUEAIBlBAEobIRYgBUEBayAZaiEZIBkgDW1BAWpBACAZQQBOGyEXIBcgCEoEQCAIIRcLIBYgF0gEQEEAIRMCQANAIBMgBk8NAUEAIRQCQANAIBQgCU8NASACIBEgC2wgEmogBmwgE2ogCWwgFGpBAnRqIRwgHP0ABAAhIiAc/QAEECEjIBwgIEEBbGr9AAQAISQgHCAgQQFsav0ABBAhJSAcICBBAmxq/QAEACEmIBwgIEECbGr9AAQQIScgHCAgQQNsav0ABAAhKCAcICBBA2xq/QAEECEpQQAhFQJAA0AgFSAHTw0BIBUgDGwgEWogDmshGCAYIARJBEAgGiAYIAVsIBYgDWwgEmogD2tqIAZsIBNqQQJ0aiEdIBsgFSAIbCAWaiAJbCAUakECdGohHiAeIBcgFmsgIGxqIR8DQCAe/QAEACEqIB79AAQQISsgHf0JAgAhLCAiICwgKv3mAf3kASEiICMgLCAr/eYB/eQBISMgHf0JAgQhLCAkICwgKv3mAf3kASEkICUgLCAr/eYB/eQBISUgHf0JAgghLCAmICwgKv3mAf3kASEmICcgLCAr/eYB/eQBIScgHf0JAgwhLCAoICwgKv3mAf3kASEoICkgLCAr/eYB/eQBISkgHSAhaiEdIB4gIGohHiAeIB9JDQALCyAVQQFqIRUMAAsLIBwgIv0LBAAgHCAj/QsEECAcICBBAWxqICT9CwQAIBwgIEEBbGogJf0LBBAgHCAgQQJsaiAm/QsEACAcICBBAmxqICf9CwQQIBwgIEEDbGogKP0LBAAgHCAgQQNsaiAp/QsEECAUQQhqIRQMAAsLIBNBBGohEwwACwsLIBJBAWohEgwACwsgEUEBaiERDAALCyAQQQFqIRAMAAsLC+UEAhJ/CXsgCUECdCEgIA0gBmxBAnQhISACQQAgCiALbCAGbCAJbEECdPwLAEEAIRACQANAIBAgA08NASAAIBAgBGwgBSAGbGxBAnRqIRogASAQIAdsIAggCWxsQQJ0aiEbQQAhEQJAA0AgESAKTw0BQQAhEgJAA0AgEiALTw0BIA8gEmshGSAZIA1BAWtqIA1tQQAgGUEAShshFiAFQQFrIBlqIRkgGSANbUEBakEAIBlBAE4bIRcgFyAISgRAIAghFwsgFiAXSARAQQAhEwJAA0AgEyAGTw0BQQAhFAJAA0AgFCAJTw0BIAIgESALbCASaiAGbCATaiAJbCAUakECdGohHCAc/QAEACEiIBz9AAQQISMgHP0ABCAhJCAc/QAEMCElQQAhFQJAA0AgFSAHTw0BIBUgDGwgEWogDmshGCAYIARJBEAgGiAYIAVsIBYgDWwgEmogD2tqIAZsIBNqQQJ0aiEdIBsgFSAIbCAWaiAJbCAUakECdGohHiAeIBcgFmsgIGxqIR8DQCAe/QAEACEmIB79AAQQIScgHv0ABCAhKCAe/QAEMCEpIB39CQIAISogIiAqICb95gH95AEhIiAjICogJ/3mAf3kASEjICQgKiAo/eYB/eQBISQgJSAqICn95gH95AEhJSAdICFqIR0gHiAgaiEeIB4gH0kNAAsLIBVBAWohFQwACwsgHCAi/QsEACAcICP9CwQQIBwgJP0LBCAgHCAl/QsEMCAUQRBqIRQMAAsLIBNBAWohEwwACwsLIBJBAWohEgwACwsgEUEBaiERDAALCyAQQQFqIRAMAAsLC+gFAg9/C3sgCUECdCEWIA0gBmxBAnQhFyAXQQF0IRggGCAXaiEZIAsgBmxBAnQhGiAFIAZsQQJ0IRsgGiAJbCEcQQAhDgJAA0AgDiADTw0BQQAhDwJAA0AgDyAHTw0BQQAhEAJAA0AgECAITw0BIBBBBGogCEsEQCAIQQRrIRALQQAhEQJAA0AgESAJTw0B/QwAAAAAAAAAAAAAAAAAAAAAIR39DAAAAAAAAAAAAAAAAAAAAAAhHv0MAAAAAAAAAAAAAAAAAAAAACEf/QwAAAAAAAAAAAAAAAAAAAAAISD9DAAAAAAAAAAAAAAAAAAAAAAhIf0MAAAAAAAAAAAAAAAAAAAAACEi/QwAAAAAAAAAAAAAAAAAAAAAISP9DAAAAAAAAAAAAAAAAAAAAAAhJEEAIRICQANAIBIgCk8NASAAIA4gBGwgDyAMbCASamogG2wgECAXbGpqIRMgASASIBxsIBFBAnRqaiEUIBMgGmohFQNAIBT9AAQAISUgFP0ABBAhJiAT/QkCACEnIB0gJyAl/eYB/eQBIR0gHiAnICb95gH95AEhHiATIBdq/QkCACEnIB8gJyAl/eYB/eQBIR8gICAnICb95gH95AEhICATIBhq/QkCACEnICEgJyAl/eYB/eQBISEgIiAnICb95gH95AEhIiATIBlq/QkCACEnICMgJyAl/eYB/eQBISMgJCAnICb95gH95AEhJCAUIBZqIRQgE0EEaiETIBMgFUkNAAsgEkEBaiESDAALCyACIA4gB2wgD2ogCGwgEGogCWwgEWpBAnRqIRMgEyAd/QsEACATIB79CwQQIBMgFkEBbGogH/0LBAAgEyAWQQFsaiAg/QsEECATIBZBAmxqICH9CwQAIBMgFkECbGogIv0LBBAgEyAWQQNsaiAj/QsEACATIBZBA2xqICT9CwQQIBFBCGohEQwACwsgEEEEaiEQDAALCyAPQQFqIQ8MAAsLIA5BAWohDgwACwsLegECfyAAIAJBAnRqIQMgACACQXxxQQJ0aiEEAkADQCAAIARPDQEgACAA/QAEACAB/QAEAP3kAf0LBAAgAEEQaiEAIAFBEGohAQwACwsCQANAIAAgA08NASAAIAAqAgAgASoCAJI4AgAgAEEEaiEAIAFBBGohAQwACwsLYwEEfyAEQQJ0IQggACADIAhsaiEFAkADQCAAIAVPDQEgACAIaiEGIAEhBwNAIAIgAP0ABAAgB/0ABAD95AH9CwQAIABBEGohACAHQRBqIQcgAkEQaiECIAAgBkkNAAsMAAsLCw==';

export interface SimdKernels {
  /** Adam for one variable; offsets in bytes, n elements (see simd.wat). */
  adam(
    w0: number, m0: number, v0: number, g: number, w1: number, m1: number, v1: number, n: number,
    beta1: number, beta2: number, keep1: number, keep2: number, step: number, perCorrection2: number, epsilon: number,
  ): void;
  /** MaxPoolGrad of whole 2×2 windows, stride 2, no padding; c a multiple of 4 (see simd.wat). */
  maxPoolGrad2x2(x: number, dy: number, dx: number, n: number, h: number, w: number, c: number, oh: number, ow: number): void;
  /** Conv2DBackpropFilter, NHWC/HWIO, dilation 1; c a multiple of 4, o of 8 (see simd.wat). */
  convFilterGrad4x8(...args: ConvFilterGradArgs): void;
  /** The same for any c, o a multiple of 16. */
  convFilterGrad1x16(...args: ConvFilterGradArgs): void;
  /** Conv2D of an already padded x, dilation 1; o a multiple of 8, ow ≥ 4 (see simd.wat). */
  conv4x8(
    x: number, f: number, out: number, batch: number, h: number, w: number, c: number, oh: number, ow: number, o: number,
    kh: number, kw: number, strideH: number, strideW: number,
  ): void;
  /** a += b, n floats. */
  addInto(a: number, b: number, n: number): void;
  /** out = x + bias per row: rows × c floats, c a multiple of 4. */
  addBias(x: number, bias: number, out: number, rows: number, c: number): void;
}

/** Byte offsets x, dy, dw; then batch, h, w, c, oh, ow, o, kh, kw, stride h/w, padding top/left. */
export type ConvFilterGradArgs = [
  x: number, dy: number, dw: number, batch: number, h: number, w: number, c: number, oh: number, ow: number, o: number,
  kh: number, kw: number, strideH: number, strideW: number, padTop: number, padLeft: number,
];

const instances = new WeakMap<object, SimdKernels | null>();

/** The SIMD kernels bound to this backend's heap; null where the module cannot be made (no wasm SIMD). */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  const memory = heapMemory(backend);
  if (!memory) return null;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    try {
      const shared = Object.prototype.toString.call(memory.buffer) === '[object SharedArrayBuffer]';
      const bytes = Buffer.from(shared ? SHARED : PLAIN, 'base64');
      kernels = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports as unknown as SimdKernels;
    } catch {
      kernels = null;
    }
    instances.set(memory, kernels);
  }
  return kernels;
}

function heapMemory(backend: BackendWasm): WasmMemory | undefined {
  const module = backend.wasm as unknown as { wasmMemory?: WasmMemory; asm?: { memory?: WasmMemory } };
  // The threaded build imports its (shared) memory, the others export theirs.
  return module.wasmMemory ?? module.asm?.memory;
}

/** Off: our kernels on one thread even under the threaded build (for benchmarks comparing the two). */
export const helperOptions = { enabled: true };

const HELPED = ['convFilterGrad4x8', 'convFilterGrad1x16', 'conv4x8'];

/** A second thread for these kernels under the threaded build, once started (see helper-thread.ts); else null. */
export function simdHelper(backend: BackendWasm): HelperThread | null {
  const memory = helperOptions.enabled ? heapMemory(backend) : undefined;
  return (memory && readyHelperThread(memory)) || null;
}

/** Starts that helper; resolves null under the single-threaded builds, or when it cannot start. */
export async function startSimdHelper(backend: BackendWasm): Promise<HelperThread | null> {
  const memory = heapMemory(backend);
  if (!memory || !simdKernels(backend)) return null;
  return startHelperThread(memory, Buffer.from(SHARED, 'base64'), HELPED);
}
