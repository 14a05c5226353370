package gi

import (
	"context"
	"database/sql"
	"fmt"

	"sidi/internal/auth"
	"sidi/internal/kit"
)

// DemoLabel marks demo records.
const DemoLabel = "【演示数据】"

// DemoProducts and DemoCerts are labelled demo records: one product in
// force and one revoked, certificates valid, expired and without end.
func DemoProducts() []Product {
	return []Product{
		{Name: DemoLabel + "演示高原枸杞", Area: "海西蒙古族藏族自治州现辖行政区域（演示）", Region: "632800", Prefecture: "632800", Notice: "演示公告第 1 号", ApprovedOn: "2016-05-20", Demo: true},
		{Name: DemoLabel + "演示湖区湟鱼", Area: "海北藏族自治州刚察县（演示）", Region: "632224", Prefecture: "632200", Notice: "演示公告第 2 号", ApprovedOn: "2012-03-01", RevokedOn: "2020-01-01", Demo: true},
	}
}

// DemoCerts are the labelled demo certificates.
func DemoCerts() []Cert {
	return []Cert{
		{Kind: CertGreen, CertNo: "DEMO-LB-0001", Body: "中国绿色食品发展中心（演示）", Product: DemoLabel + "演示牦牛肉", Holder: DemoLabel + "青海演示牦牛乳业有限公司",
			HolderCode: "91630100MA752XUH3X", Region: "630100", Prefecture: "630100", ValidFrom: "2024-03-01", ValidTo: "2027-02-28", Demo: true},
		{Kind: CertOrganic, CertNo: "DEMO-YJ-0002", Body: "演示认证有限公司", Product: DemoLabel + "演示有机枸杞", Holder: DemoLabel + "海西州演示枸杞合作社",
			Region: "632801", Prefecture: "632800", ValidFrom: "2023-06-01", ValidTo: "2024-05-31", Demo: true},
		{Kind: CertAgriGI, CertNo: "DEMO-AGI-0003", Body: "农业农村部（演示）", Product: DemoLabel + "演示茶卡羊", Holder: DemoLabel + "乌兰县演示畜牧协会",
			Region: "632821", Prefecture: "632800", ValidFrom: "2013-08-01", Demo: true},
	}
}

// SeedDemo adds the demo records once.
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM gi_products WHERE demo = 1) + (SELECT COUNT(*) FROM agri_certs WHERE demo = 1) + (SELECT COUNT(*) FROM brands WHERE demo = 1)`).Scan(&n); err != nil {
		return 0, fmt.Errorf("gi: demo: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	if err := p.Require(Editors...); err != nil {
		return 0, err
	}
	file := kit.ImportReport{File: "sidi demo"}
	var products []kit.Item[Product]
	for i, x := range DemoProducts() {
		products = append(products, kit.Item[Product]{Row: i + 1, Val: x})
	}
	r1, err := writeBatch(ctx, s, p, "gi-products", productTable, products, file, func(_ *sql.Tx, x *Product) ([]any, error) { return productValues(*x), nil }, productDoc)
	if err != nil {
		return 0, err
	}
	var certs []kit.Item[Cert]
	for i, x := range DemoCerts() {
		certs = append(certs, kit.Item[Cert]{Row: i + 1, Val: x})
	}
	r2, err := writeBatch(ctx, s, p, "agri-certs", certTable, certs, file, s.prepareCert(ctx, p), certDoc)
	if err != nil {
		return 0, err
	}
	var brands []kit.Item[Brand]
	for i, b := range DemoBrands() {
		brands = append(brands, kit.Item[Brand]{Row: i + 1, Val: b})
	}
	r3, err := writeBatch(ctx, s, p, "brands", brandTable, brands, file, s.prepareBrand(ctx, p), brandDoc)
	if err != nil {
		return 0, err
	}
	var users []kit.Item[BrandUser]
	for i, u := range DemoBrandUsers() {
		users = append(users, kit.Item[BrandUser]{Row: i + 1, Val: u})
	}
	r4, err := writeBatch(ctx, s, p, "brand-users", brandUserTable, users, file, s.prepareBrandUser(ctx, p), nil)
	if err != nil {
		return 0, err
	}
	id, err := brandID(ctx, s.db.Reader(), DemoBrands()[0].Name)
	if err != nil {
		return 0, err
	}
	if _, err := s.Archive(ctx, p, id, DemoLabel+"演示品牌使用管理办法.txt", []byte(DemoLabel+"本文件为演示用的区域公用品牌使用管理办法，不是真实文件。\n")); err != nil {
		return 0, err
	}
	return r1.Created + r2.Created + r3.Created + r4.Created + 1, nil
}

// DemoBrands are labelled demo catalogue entries: a regional public brand
// (with authorised users below), an agri-product brand and a 老字号.
func DemoBrands() []Brand {
	return []Brand{
		{Kind: BrandRegional, Name: DemoLabel + "演示高原红枸杞", Product: "枸杞", Owner: DemoLabel + "海西州演示枸杞产业协会", Region: "632800", Prefecture: "632800",
			Standards: "DB63/T 1759—2019", ListedOn: "2019-09-01", Demo: true},
		{Kind: BrandAgri, Name: DemoLabel + "演示雪域牦牛", Product: "牦牛肉", Owner: DemoLabel + "青海演示牦牛乳业有限公司", OwnerCode: "91630100MA752XUH3X",
			Region: "630100", Prefecture: "630100", TrademarkRegNo: "90000002", ListedOn: "2021-05-01", Demo: true},
		{Kind: BrandQHOld, Name: DemoLabel + "演示老醋坊", Product: "陈醋", Owner: DemoLabel + "湟源演示醋业有限公司", Region: "630123", Prefecture: "630100", ListedOn: "2015-08-01", Demo: true},
	}
}

// DemoBrandUsers may use the demo regional brand (one authorisation ended).
func DemoBrandUsers() []BrandUser {
	b := DemoLabel + "演示高原红枸杞"
	return []BrandUser{
		{Brand: b, Name: DemoLabel + "格尔木演示枸杞有限公司", ValidFrom: "2022-01-21", ValidTo: "2027-01-20", Demo: true},
		{Brand: b, Name: DemoLabel + "都兰演示枸杞合作社", ValidFrom: "2022-01-21", ValidTo: "2027-01-20", Demo: true},
		{Brand: b, Name: DemoLabel + "德令哈演示枸杞公司", ValidFrom: "2019-10-01", ValidTo: "2021-09-30", Demo: true},
	}
}
