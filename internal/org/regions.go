package org

// Region is a GB/T 2260 division the directory knows: the province, its
// eight prefectures and their counties.
type Region struct {
	Code       string // six digits
	Name       string // 西宁市, 海西州, 格尔木市 …
	Prefecture string // the prefecture's code ("" for the province itself)
}

// provinces are the first two digits of the provincial-level divisions of
// GB/T 2260 (31 provinces, autonomous regions and municipalities, Taiwan,
// Hong Kong and Macao).
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true, "21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true, "71": true, "81": true, "82": true,
}

// LookupRegion checks a six-digit division code: inside Qinghai (63…) it
// must be the province, a prefecture or a county of the directory; outside
// it must start with a provincial code (the directory holds no finer data
// for other provinces). ok is false for anything else; r is filled only
// for Qinghai codes.
func LookupRegion(code string) (r Region, ok bool) {
	if len(code) != 6 {
		return Region{}, false
	}
	for i := 0; i < 6; i++ {
		if code[i] < '0' || code[i] > '9' {
			return Region{}, false
		}
	}
	if code[:2] != "63" {
		return Region{}, provinces[code[:2]]
	}
	if code == "630000" {
		return Region{Code: code, Name: "青海省"}, true
	}
	for _, d := range builtin {
		if d.Kind == KindPrefecture && d.Region == code {
			return Region{Code: code, Name: d.Short, Prefecture: code}, true
		}
	}
	for _, c := range counties {
		if c.Code == code {
			return Region{Code: code, Name: c.Name, Prefecture: c.Parent}, true
		}
	}
	return Region{}, false
}

// Prefectures lists the eight prefecture-level divisions in directory order.
func Prefectures() []Region {
	var out []Region
	for _, d := range builtin {
		if d.Kind == KindPrefecture {
			out = append(out, Region{Code: d.Region, Name: d.Short, Prefecture: d.Region})
		}
	}
	return out
}

// RegionName is the name of a GB/T 2260 code ("" for an unknown or empty
// code): what registers show beside a stored region code.
func RegionName(code string) string {
	r, _ := LookupRegion(code)
	return r.Name
}
