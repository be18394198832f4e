package dedupe

import (
	"math"
	"strings"

	"doithoai/pipeline/vntext"
)

// weighted is a name part with its relative frequency.
type weighted struct {
	name string
	w    float64
}

// familyNames are Vietnamese family names with approximate shares (per
// cent) in the Mekong delta: Nguyễn dominates; Huỳnh and Võ are the
// southern forms of Hoàng and Vũ.
var familyNames = []weighted{
	{"Nguyễn", 38}, {"Trần", 11}, {"Lê", 9.5}, {"Phạm", 7}, {"Huỳnh", 5},
	{"Phan", 4.5}, {"Võ", 3.9}, {"Đặng", 2.1}, {"Bùi", 2}, {"Đỗ", 1.4},
	{"Hồ", 1.3}, {"Ngô", 1.3}, {"Trương", 1.2}, {"Dương", 1}, {"Hoàng", 1},
	{"Đoàn", 0.6}, {"Lâm", 0.6}, {"Đinh", 0.6}, {"Vũ", 0.5}, {"Lý", 0.5},
	{"Mai", 0.5}, {"Châu", 0.4}, {"Lương", 0.4}, {"Cao", 0.4}, {"Lưu", 0.3},
	{"Tô", 0.3}, {"Thái", 0.3}, {"Hà", 0.3}, {"Thạch", 0.3}, {"Tạ", 0.2},
	{"Quách", 0.2}, {"La", 0.2}, {"Từ", 0.2}, {"Danh", 0.2}, {"Sơn", 0.2},
	{"Kim", 0.2}, {"Diệp", 0.1}, {"Kiều", 0.1}, {"Tăng", 0.1}, {"Triệu", 0.1},
	{"Lữ", 0.1}, {"Mạc", 0.1}, {"Văn", 0.1}, {"Âu", 0.1}, {"Khưu", 0.1},
}

// middleMale and middleFemale are middle names (tên đệm) by the bearer's
// gender; "" is a name without one ("Võ Tuấn").
var middleMale = []weighted{
	{"Văn", 45}, {"Hữu", 6}, {"Minh", 6}, {"Thanh", 6}, {"Tấn", 4}, {"Quốc", 4},
	{"Công", 4}, {"Đức", 3}, {"Hoàng", 3}, {"Ngọc", 3}, {"Thành", 3}, {"", 3},
	{"Trung", 2}, {"Chí", 2}, {"Phước", 2}, {"Hoài", 1}, {"Xuân", 1}, {"Duy", 1},
	{"Kim", 1}, {"Bá", 1}, {"Trọng", 1}, {"Vĩnh", 1}, {"Hồng", 1}, {"Thái", 1},
}

var middleFemale = []weighted{
	{"Thị", 55}, {"Ngọc", 6}, {"Thanh", 5}, {"Kim", 5}, {"Thu", 3}, {"Mỹ", 3},
	{"Hồng", 3}, {"Bích", 2}, {"Minh", 2}, {"Thúy", 2}, {"Phương", 2}, {"", 2},
	{"Diễm", 1}, {"Tuyết", 1}, {"Xuân", 1}, {"Cẩm", 1}, {"Kiều", 1}, {"Huỳnh", 1},
}

// givenMale and givenFemale are given names, most frequent first; their
// weights follow a Zipf-like tail (see zipf). The ordinal names (Hai, Ba,
// Tư, Năm, ..., Út, Bé) are common among older people of the delta.
var givenMale = strings.Fields(`Hùng Dũng Tuấn Minh Hải Nam Sơn Thành Tâm Phúc
Hòa Long Hiếu Trung Bình Thắng Cường Tài Lộc Tùng Toàn Quang Hưng Phong Khánh
Nghĩa Đức Huy Việt Vinh Lâm Hoàng Tiến Thịnh Trí Thiện Nhân Út Bé Tư Năm Sáu
Bảy Tám Chín Mười Hai Ba Danh Hậu Dương Điền Tú Thanh Phước Lợi Hiền Mến Sang
Tín Nhựt Khải Kiệt Đạt Hào Hên Lành Chiến Công Cảnh Duy Đông Giàu Hiệp Hoàn
Hữu Khoa Kha Lực Mạnh Nguyên Phát Quý Sĩ Tân Thái Thông Tốt Trọng Vũ Xuân Yên
Châu Được Em Giang Hận Lắm Luân Quới Rạng Sử Bửu Cang Chánh Dinh Đảm Hớn
Kiên Lãm Mãi Nhẫn Phụng Quyền Sính Thuận Trường Vẹn Xệ Phi Thơ Triều Ẩn`)

var givenFemale = strings.Fields(`Lan Hoa Hồng Hương Mai Linh Thảo Trang Nga Hà
Hạnh Liên Loan Thủy Tuyết Yến Phượng Nhung Dung Vân Thu Anh Ánh Bích Cúc Diễm
Đào Giang Hiền Huệ Kim Lệ Lụa Mơ Mỹ Ngân Nguyệt Nhàn Nhi Oanh Phương Quyên
Sương Tâm Thanh Thắm Thơ Thúy Tiên Trinh Tuyền Uyên Vy Xuân Út Bé Hai Ba Tư
Năm Sáu Bảy Tám Chín Mười Lài Lành Ngọc Nương Phấn Son Thêm Thiệt Trúc Vàng
Bông Chi Diệu Duyên Gấm Hằng Hậu Kiều Lam Lượm My Nhiên Nhớ Ri Sen Thoa Tho
Châu Đẹp Điệp Hên Huyền Khéo Lắm Mận Muội Nết Nhạn Ren Rớt Sa Tươi Vui Xinh`)

// zipf returns the weight of the rank-th (0-based) entry of a given-name
// list.
func zipf(rank int) float64 { return math.Pow(float64(rank+5), -0.8) }

// priorTable holds the prior frequency of a name token in each role
// (family, middle, given), keyed by its folded form and by its toned
// signature. It is what the matcher knows about Vietnamese names before it
// sees the data; the data's own frequencies take over where they are larger.
type priorTable struct {
	folded [3]map[string]float64
	toned  [3]map[string]float64
}

// Token roles in a name.
const (
	roleFamily = 0
	roleMiddle = 1
	roleGiven  = 2
)

var defaultPrior = buildPrior()

func buildPrior() *priorTable {
	p := &priorTable{}
	for r := 0; r < 3; r++ {
		p.folded[r] = map[string]float64{}
		p.toned[r] = map[string]float64{}
	}
	add := func(role int, list []weighted, share float64) {
		total := 0.0
		for _, e := range list {
			total += e.w
		}
		for _, e := range list {
			if e.name == "" {
				continue
			}
			f := share * e.w / total
			p.folded[role][vntext.Fold(e.name)] += f
			p.toned[role][toneSig(vntext.FoldKeepTones(e.name))] += f
		}
	}
	add(roleFamily, familyNames, 1)
	add(roleMiddle, middleMale, 0.5)
	add(roleMiddle, middleFemale, 0.5)
	add(roleGiven, zipfList(givenMale), 0.5)
	add(roleGiven, zipfList(givenFemale), 0.5)
	return p
}

// zipfList weights a ranked list with zipf.
func zipfList(names []string) []weighted {
	out := make([]weighted, len(names))
	for i, n := range names {
		out[i] = weighted{n, zipf(i)}
	}
	return out
}
