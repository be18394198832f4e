package mask

import "testing"

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"không có số", "không có số"},
		{"CCCD 087123456789 của chủ hộ", "CCCD ********6789 của chủ hộ"},
		{"gọi 0912 345 678 hoặc 0277.3851.234", "gọi ******5678 hoặc *******1234"},
		{"Mã hộ 29956-0059", "Mã hộ 29956-0059"},
		{"vay 50.000.000 đồng", "vay 50.000.000 đồng"},
		{"năm 2022, 5 hộ", "năm 2022, 5 hộ"},
		{"gồm 10 chữ số (ví dụ 0912345678), mỗi ô một số", "gồm 10 chữ số (ví dụ 0912345678), mỗi ô một số"},
		{"Ví dụ: 0912345678", "Ví dụ: 0912345678"},
		{"số 0912345678 ví dụ", "số ******5678 ví dụ"},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
