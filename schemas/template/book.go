package template

import "github.com/xuri/excelize/v2"

// book is what the form writer does to a workbook: the methods of
// *excelize.File it calls. The kit writer (shape.go) also gives it a
// recorder, which notes the calls instead of building the workbook.
type book interface {
	NewStyle(style *excelize.Style) (int, error)
	SetSheetName(source, target string) error
	NewSheet(sheet string) (int, error)
	GetSheetList() []string
	SetSheetVisible(sheet string, visible bool, veryHidden ...bool) error
	SetActiveSheet(index int)
	MergeCell(sheet, topLeftCell, bottomRightCell string) error
	SetCellStyle(sheet, topLeftCell, bottomRightCell string, styleID int) error
	SetCellStr(sheet, cell, value string) error
	SetCellInt(sheet, cell string, value int64) error
	SetCellFloat(sheet, cell string, value float64, precision, bitSize int) error
	SetRowHeight(sheet string, row int, height float64) error
	SetColWidth(sheet, startCol, endCol string, width float64) error
	SetPanes(sheet string, panes *excelize.Panes) error
	SetDefinedName(definedName *excelize.DefinedName) error
	SetPageLayout(sheet string, opts *excelize.PageLayoutOptions) error
	SetSheetProps(sheet string, opts *excelize.SheetPropsOptions) error
	AddDataValidation(sheet string, dv *excelize.DataValidation) error
	ProtectSheet(sheet string, opts *excelize.SheetProtectionOptions) error
	SetDocProps(docProperties *excelize.DocProperties) error
}

var _ book = (*excelize.File)(nil)
