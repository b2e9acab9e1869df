/* htmlpage.c - the frame of every page: inline CSS and JS allowed by a strict Content-Security-Policy with their hashes. */
#define _POSIX_C_SOURCE 200809L
#include "html.h"

#include <stdlib.h>
#include <string.h>

#include "sha256.h"

/*
 * The style sheet. State colours are appended from htmlstate.c so they live in one table.
 * No style="" attribute appears anywhere: the CSP below forbids them, and SVG geometry uses
 * presentation attributes (x, width, ...) which CSP does not govern.
 */
static const char page_css[] =
	":root{--bg:#f4f5f7;--card:#fff;--ink:#1c2430;--muted:#5b6677;--line:#e3e6eb;--accent:#1f5fae;"
	"--bad:#b42318;--warn:#b54708;--ok:#067647;"
	"--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,\"DejaVu Sans Mono\",\"Liberation Mono\",monospace}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:var(--bg);color:var(--ink);"
	"font:14px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,\"Noto Sans\",sans-serif}\n"
	"a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}\n"
	"header.top{background:#17212f;color:#e6ebf2;padding:22px 32px 20px}\n"
	"header.top h1{margin:0;font-size:21px;font-weight:600;letter-spacing:.01em}\n"
	"header.top .sub{color:#a7b2c3;margin-top:3px;font-size:13px;word-break:break-all}\n"
	".kpis{display:flex;flex-wrap:wrap;gap:10px;margin-top:16px}\n"
	".kpi{background:#223047;border-radius:8px;padding:8px 14px;min-width:118px}\n"
	".kpi b{display:block;font-size:19px;font-weight:600;color:#fff;font-variant-numeric:tabular-nums}\n"
	".kpi span{font-size:12px;color:#a7b2c3}\n"
	".kpi.alert{background:#5c1a14}.kpi.alert span{color:#f3c2bc}\n"
	"nav.toc{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);"
	"padding:0 26px;display:flex;gap:2px;overflow-x:auto}\n"
	"nav.toc a{padding:10px;color:var(--muted);font-size:13px;white-space:nowrap;border-bottom:2px solid transparent}\n"
	"nav.toc a:hover{color:var(--ink);border-bottom-color:var(--accent);text-decoration:none}\n"
	"main{padding:22px 32px 8px;max-width:1480px;margin:0 auto}\n"
	"section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin-bottom:22px}\n"
	"h2{font-size:17px;margin:0 0 2px;font-weight:600}\n"
	"h3{font-size:14px;margin:18px 0 6px;font-weight:600}\n"
	"p.lead{margin:0 0 12px;color:var(--muted);font-size:13px;max-width:980px}\n"
	".grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:8px 28px}\n"
	".wrap{overflow-x:auto}\n"
	"table{border-collapse:collapse;width:100%;font-size:13px}\n"
	"th,td{padding:5px 9px;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}\n"
	"th{font-weight:600;color:#3d4654;font-size:12px;background:#f5f7fa;white-space:nowrap;"
	"border-bottom:1px solid #d5dae2}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tbody tr:hover{background:#f6f8fc}\n"
	"tr:target{background:#fff4cc}\n"
	"td.t{font-family:var(--mono);font-size:12px}\n"
	".mono{font-family:var(--mono);font-size:12px}\n"
	".hash{font-family:var(--mono);font-size:11px;color:var(--muted);word-break:break-all}\n"
	".muted{color:var(--muted)}.nw{white-space:nowrap}\n"
	".detail{white-space:pre-wrap;word-break:break-word}\n"
	".st{display:inline-block;padding:1px 6px;border-radius:4px;font:600 11px/1.5 var(--mono);white-space:nowrap}\n"
	".kinds a{display:block;white-space:nowrap}\n"
	"details.kind>summary{cursor:pointer;margin:16px 0 6px}details.kind>summary h3{display:inline;margin:0}\n"
	".pair{white-space:nowrap}.pair .sep{color:var(--muted);margin:0 4px}\n"
	".sev{display:inline-block;padding:0 7px;border-radius:9px;font-size:11.5px;font-weight:600}\n"
	".sev-error{background:#fde3e0;color:#9a1b10}.sev-warning{background:#fdf0d2;color:#8a4008}"
	".sev-info{background:#e6eef9;color:#27497a}\n"
	".status{font-weight:600}.status-complete{color:var(--ok)}\n"
	".status-truncated,.status-error,.status-running{color:var(--bad)}\n"
	".damage{color:var(--bad);font-size:12.5px;margin-top:2px}\n"
	".note{border-left:3px solid var(--accent);background:#eff4fb;padding:8px 12px;font-size:13px;margin:10px 0 4px}\n"
	".note.warn{border-left-color:var(--warn);background:#fdf5e7}\n"
	".legend{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;padding:0;margin:6px 0 10px;font-size:11.5px;font-family:var(--mono)}\n"
	".legend li{display:flex;align-items:center;gap:5px}\n"
	".sw{width:16px;height:10px;border-radius:2px;display:inline-block;border:1px solid rgba(0,0,0,.08)}\n"
	"svg.defs{position:absolute}\n"
	".bar{display:block;margin-top:4px}.barbg{fill:#edf0f4}.barfg{fill:#7d9bcf}\n"
	"svg.fig{display:block;max-width:100%;height:auto;margin:4px 0}\n"
	"svg text{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif}\n"
	".grid line{stroke:#e9ecf1;shape-rendering:crispEdges}\n"
	".axis text,.ylab{fill:#5b6677;font-size:11px}\n"
	".axis .cap{fill:#8a94a6;font-size:10.5px}\n"
	".frame{fill:none;stroke:#d5dae2;shape-rendering:crispEdges}\n"
	".band{fill:#f7f8fa}\n"
	".tl-uid{font:11px var(--mono);fill:var(--accent)}\n"
	".tl-ep{font-size:11px;fill:#3d4654}\n"
	".amark{fill:#d92d20;stroke:#fff;stroke-width:.8}\n"
	/* path.ln outranks the .s-NAME fill of the palette: a curve must never be filled */
	"path.ln{fill:none;stroke-width:1.4;stroke-linejoin:round;opacity:.85}\n"
	"path.ln.hot{stroke-width:3.2;opacity:1}\n"
	".area{opacity:.13;stroke:none}\n"
	".peak{font-size:11.5px;font-weight:700}\n"
	".lanehead{fill:#17212f}.lanehead-t{fill:#fff;font-size:12px;font-weight:600}\n"
	".lanehead-s{fill:#a7b2c3;font:11px var(--mono)}\n"
	".msg{stroke:#3d4654;stroke-width:1.3;fill:none}\n"
	".msg-l{font-size:11.5px;fill:#1c2430}\n"
	".msg-f{font:10.5px var(--mono);fill:#7a8596}\n"
	".tick{font:11px var(--mono);fill:#3d4654}.tick2{font:10px var(--mono);fill:#8a94a6}\n"
	".ev{font-size:10px;fill:#8a94a6;font-style:italic}\n"
	".mark{stroke:#3d4654;stroke-width:1.3;stroke-dasharray:2 2}\n"
	".rowsep{stroke:#f0f2f5}\n"
	"dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0;font-size:13px}\n"
	"dl.kv dt{color:var(--muted)}dl.kv dd{margin:0}\n"
	"footer{color:var(--muted);font-size:12px;padding:0 32px 28px;max-width:1480px;margin:0 auto}\n"
	"html.js table.sortable th{cursor:pointer;user-select:none}\n"
	"html.js table.sortable th:hover{color:var(--ink)}\n"
	"th[aria-sort=ascending]::after{content:\" \\25B2\";font-size:9px}\n"
	"th[aria-sort=descending]::after{content:\" \\25BC\";font-size:9px}\n"
	"@media print{nav.toc{display:none}section{break-inside:avoid-page;border:0}body{background:#fff}}\n";

/*
 * The only script: counts CSP violations (so a test can prove the policy holds), makes the
 * tables sortable by their headers, and marks the page ready. It reads cells with
 * textContent and never writes markup, so no database string can become code.
 */
static const char page_js[] =
	"(function(){'use strict';\n"
	"var d=document,n=0;\n"
	"d.addEventListener('securitypolicyviolation',function(){n++;"
	"d.documentElement.setAttribute('data-csp-violations',String(n));});\n"
	"function key(c){var v=c.getAttribute('data-v');if(v!==null)return{n:1,v:parseFloat(v)};"
	"return{n:0,v:c.textContent.trim().toLowerCase()};}\n"
	"function sort(th){var t=th.closest('table'),b=t.tBodies[0],i=th.cellIndex;\n"
	"var asc=th.getAttribute('aria-sort')!=='ascending';\n"
	"Array.prototype.forEach.call(t.tHead.rows[0].cells,function(h){h.removeAttribute('aria-sort');});\n"
	"th.setAttribute('aria-sort',asc?'ascending':'descending');\n"
	"var r=Array.prototype.slice.call(b.rows);\n"
	"r.sort(function(x,y){var a=key(x.cells[i]),c=key(y.cells[i]),s;\n"
	"if(a.n&&c.n)s=a.v-c.v;else s=a.v<c.v?-1:a.v>c.v?1:0;\n"
	"if(s===0)s=x.getAttribute('data-i')-y.getAttribute('data-i');else if(!asc)s=-s;return s;});\n"
	"r.forEach(function(e){b.appendChild(e);});}\n"
	"d.addEventListener('DOMContentLoaded',function(){\n"
	"d.documentElement.className='js';\n"
	"Array.prototype.forEach.call(d.querySelectorAll('table.sortable'),function(t){\n"
	"if(!t.tHead||!t.tBodies[0])return;\n"
	"Array.prototype.forEach.call(t.tBodies[0].rows,function(e,k){e.setAttribute('data-i',k);});\n"
	"Array.prototype.forEach.call(t.tHead.rows[0].cells,function(h){h.tabIndex=0;"
	"h.title='Sort by this column';\n"
	"h.addEventListener('click',function(){sort(h);});\n"
	"h.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sort(h);}});});});\n"
	"d.body.setAttribute('data-ready','1');});\n"
	"})();\n";

void htmlpage_csp_source(const char *text, size_t len, char out[HTMLPAGE_HASH_LEN])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t dg[SHA256_DIGEST_LEN + 1] = { 0 };   /* one spare zero byte for the last group */
	struct sha256_ctx c;
	char *o = out;

	sha256_init(&c);
	sha256_update(&c, text, len);
	sha256_final(&c, dg);
	o += sprintf(o, "'sha256-");
	for (int i = 0; i < SHA256_DIGEST_LEN; i += 3) {
		uint32_t v = (uint32_t)dg[i] << 16 | (uint32_t)dg[i + 1] << 8 | (i + 2 < SHA256_DIGEST_LEN ? dg[i + 2] : 0);
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < SHA256_DIGEST_LEN ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < SHA256_DIGEST_LEN ? b64[v & 63] : '=';
	}
	strcpy(o, "'");
}

int htmlpage_begin(FILE *f, const char *title)
{
	char *css = NULL;
	size_t css_len = 0;
	char css_src[HTMLPAGE_HASH_LEN], js_src[HTMLPAGE_HASH_LEN];
	FILE *m = open_memstream(&css, &css_len);

	if (m == NULL)
		return -1;
	fputs(page_css, m);
	htmlstate_css(m);
	if (fclose(m) != 0) {
		free(css);
		return -1;
	}
	htmlpage_csp_source(css, css_len, css_src);
	htmlpage_csp_source(page_js, sizeof page_js - 1, js_src);
	/*
	 * default-src 'none': nothing may load from anywhere, so opening a report leaks nothing
	 * (no fonts, no images, no beacons). img-src data: only for the favicon, which keeps
	 * the browser from asking for /favicon.ico.
	 */
	htmlesc_printf(f,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src %S; "
	    "script-src %S; img-src data:; base-uri 'none'; form-action 'none'\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"generator\" content=\"pcapstate\">\n"
	    "<link rel=\"icon\" href=\"data:,\">\n"
	    "<title>%s</title>\n<style>%S</style>\n<script>%S</script>\n</head>\n<body>\n",
	    css_src, js_src, title, css, page_js);
	htmlstate_svg_defs(f);
	free(css);
	return 0;
}

void htmlpage_end(FILE *f)
{
	fputs("</body>\n</html>\n", f);
}
