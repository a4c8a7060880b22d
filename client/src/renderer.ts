/**
 * Which Phaser renderer to use. Software WebGL (SwiftShader, llvmpipe) draws a few hundred moving
 * sprites far slower than Phaser's Canvas renderer, and school laptops with blocked GPU drivers end
 * up on it, so we fall back to Canvas there. `?renderer=canvas|webgl` forces either.
 */
export type RendererChoice = 'canvas' | 'webgl';

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render driver|mesa offscreen/i;

export function isSoftwareRenderer(name: string | null): boolean {
  return name !== null && SOFTWARE.test(name);
}

/** Decides from the URL's request and the WebGL renderer string (null when WebGL is unavailable). */
export function chooseRenderer(requested: string | null, webglRenderer: string | null, webglAvailable: boolean): RendererChoice {
  if (requested === 'canvas') return 'canvas';
  if (requested === 'webgl' && webglAvailable) return 'webgl';
  if (!webglAvailable) return 'canvas';
  return isSoftwareRenderer(webglRenderer) ? 'canvas' : 'webgl';
}

/** Asks the browser which WebGL renderer it would use. */
export function probeWebgl(): { available: boolean; renderer: string | null } {
  try {
    const canvas = document.createElement('canvas');
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return { available: false, renderer: null };
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { available: true, renderer };
  } catch {
    return { available: false, renderer: null };
  }
}
