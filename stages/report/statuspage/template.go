package statuspage

import "html/template"

// pageTemplate renders the page. html/template escapes every value by its
// context (text, attribute, URL), so names that came from a spreadsheet or
// a file name cannot inject markup.
var pageTemplate = template.Must(template.New("index").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
}).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: "Segoe UI", Arial, "Helvetica Neue", sans-serif; font-size: 14px; color: #1b1b1b; margin: 16px 24px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #2b4c7e; padding-bottom: 3px; color: #2b4c7e; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.sub { color: #444; margin: 0 0 2px; }
.updated { font-weight: bold; margin: 6px 0 10px; }
.counts { background: #f2f5fa; border: 1px solid #c9d4e6; padding: 8px 12px; margin: 10px 0; }
.counts span + span::before { content: " · "; color: #777; }
.note { color: #444; font-size: 13px; margin: 6px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid #9aa5b5; padding: 4px 6px; vertical-align: top; text-align: left; }
thead th { background: #2b4c7e; color: #fff; font-weight: 600; }
thead th small { display: block; font-weight: normal; font-size: 11px; }
tr.cluster th { background: #dfe6f1; color: #1b1b1b; text-align: left; }
tr.cluster th small { font-weight: normal; color: #333; }
tfoot td { background: #f2f5fa; font-weight: 600; }
td.commune { white-space: nowrap; }
td.commune small { display: block; color: #555; }
.cell { font-size: 12.5px; min-width: 120px; }
.cell .mark { font-weight: bold; margin-right: 3px; }
.cell div:first-child { font-weight: 600; }
.ok { background: #e3f4e6; border-left: 4px solid #1e7e34; }
.warn { background: #fff3cd; border-left: 4px solid #b8860b; }
.bad { background: #fbdcdc; border-left: 4px solid #b02a37; }
.overdue { background: #fbe9e9; border-left: 4px solid #b02a37; }
.missing { background: #f4f4f4; border-left: 4px dashed #888; }
.na { background: repeating-linear-gradient(45deg, #f7f7f7, #f7f7f7 6px, #ececec 6px, #ececec 12px); color: #555; }
.old { background: #f4f4f4; color: #444; }
.legend span { display: inline-block; padding: 2px 8px; margin: 2px 4px 2px 0; font-size: 12.5px; }
.links a { display: inline-block; margin-right: 8px; }
a { color: #0b4f9c; }
table.subs td.path, ul.files li { word-break: break-all; }
table.subs td.verdict { font-weight: 600; }
ul.files { margin: 4px 0 10px; padding-left: 20px; }
ul.files .size { color: #555; font-size: 12px; }
.new { background: #1e7e34; color: #fff; font-size: 11px; padding: 0 5px; border-radius: 3px; margin-left: 4px; }
.empty { color: #666; font-style: italic; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { margin: 0; font-size: 10.5px; }
  h2 { font-size: 14px; margin-top: 14px; }
  .cell { font-size: 10px; min-width: 0; }
  thead { display: table-header-group; }
  tr, li { page-break-inside: avoid; break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  .links, .noprint { display: none; }
}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{if .Subtitle}}<p class="sub">{{.Subtitle}}</p>{{end}}
<p class="updated">{{.Updated}}</p>
<p class="counts">{{range .Counts}}<span>{{.}}</span>{{end}}</p>

<h2 id="tinh-hinh">Tình hình nộp biểu mẫu của các xã</h2>
<p class="legend">Chú thích:
<span class="ok">✔ Đã nộp, được chấp nhận</span>
<span class="warn">⚠ Được chấp nhận nhưng trễ hạn, có lỗi hoặc tệp gửi sau không dùng được</span>
<span class="bad">✘ Tệp bị từ chối</span>
<span class="overdue">✘ Chưa nộp, đã quá hạn</span>
<span class="missing">○ Chưa nộp</span>
<span class="na">— Không áp dụng</span></p>
<p class="note">Mẫu M5 (kết quả đối thoại) chỉ do xã chủ trì của mỗi cụm nộp, sau buổi đối thoại; các xã khác không phải nộp M5.
Đúng hạn/trễ hạn tính theo tệp được chấp nhận đầu tiên; ngày hạn chót vẫn tính là đúng hạn.</p>
<table class="matrix">
<thead><tr><th>Xã, thị trấn</th>{{range .Forms}}<th>{{.Code}}<small>{{.Name}}</small></th>{{end}}</tr></thead>
<tbody>
{{range .Clusters}}<tr class="cluster"><th colspan="{{inc (len $.Forms)}}">{{.Title}} <small>{{.Info}}</small></th></tr>
{{range .Rows}}<tr>
<td class="commune">{{.Name}}<small>Mã {{.Code}}{{if .Host}} · xã chủ trì cụm{{end}}</small></td>
{{range .Cells}}{{$c := .}}<td class="cell {{.Class}}">{{range $i, $l := .Lines}}<div>{{if eq $i 0}}<span class="mark">{{$c.Mark}}</span>{{end}}{{$l}}</div>{{end}}{{if .Links}}<div class="links">{{range .Links}}<a href="{{.Href}}">{{.Text}}</a>{{end}}</div>{{end}}</td>
{{end}}</tr>
{{end}}{{end}}</tbody>
<tfoot><tr><td>Tổng</td>{{range .Totals}}<td>{{.}}</td>{{end}}</tr></tfoot>
</table>
{{if .Unknown}}<p class="note">Có {{.Unknown}} tệp không xác định được xã — xem <a href="#tep-da-nhan">danh sách tệp đã nhận</a>.</p>{{end}}

<h2 id="tep-da-nhan">Các tệp đã nhận (mới nhất trước)</h2>
{{if .Subs}}<table class="subs">
<thead><tr><th>STT</th><th>Nhận lúc</th><th>Xã, thị trấn</th><th>Mẫu</th><th>Tệp</th><th>Kết quả</th><th>Lý do, ghi chú</th><th class="noprint">Phản hồi</th></tr></thead>
<tbody>
{{range $i, $s := .Subs}}<tr>
<td>{{inc $i}}</td>
<td>{{$s.Received}}</td>
<td>{{$s.Commune}}{{if $s.CommuneNote}}<br><small>({{$s.CommuneNote}})</small>{{end}}</td>
<td>{{$s.Form}}</td>
<td class="path">{{$s.Path}}</td>
<td class="verdict {{$s.Class}}">{{$s.Verdict}}</td>
<td>{{$s.Reason}}{{range $s.Details}}<div>{{.}}</div>{{end}}</td>
<td class="noprint">{{with $s.Link}}<a href="{{.Href}}">{{.Text}}</a>{{else}}<span class="empty">chưa có</span>{{end}}</td>
</tr>
{{end}}</tbody>
</table>{{else}}<p class="empty">Chưa nhận tệp nào.</p>{{end}}
{{if .Skipped}}
<h2 id="khong-xu-ly">Tệp, thư mục trong hộp thư không được xử lý</h2>
<p class="note">Các mục dưới đây có trong hộp thư nhưng chương trình không nhận. Cán bộ kiểm tra và chép lại tệp thật vào hộp thư nếu cần.</p>
<table class="subs skipped">
<thead><tr><th>STT</th><th>Đường dẫn trong hộp thư</th><th>Lý do</th></tr></thead>
<tbody>
{{range $i, $s := .Skipped}}<tr class="bad"><td>{{inc $i}}</td><td class="path">{{$s.Path}}</td><td>{{$s.Reason}}</td></tr>
{{end}}</tbody>
</table>{{end}}

<h2 id="bao-cao">Báo cáo và danh sách</h2>
{{if .Written}}<p class="note">Lần cập nhật này đã ghi {{.Written}} tệp; các tệp vừa ghi có nhãn «mới».</p>{{end}}
{{range .Folders}}<h3>{{.Title}} <small>({{.Dir}}/)</small></h3>
<p class="note">{{.Note}}</p>
{{if .Files}}<ul class="files">
{{range .Files}}<li><a href="{{.Href}}">{{.Name}}</a>{{if .Size}} <span class="size">{{.Size}}</span>{{end}}{{if .New}}<span class="new">mới</span>{{end}}</li>
{{end}}</ul>{{else}}<p class="empty">Chưa có tệp.</p>{{end}}
{{end}}
</body>
</html>
`
