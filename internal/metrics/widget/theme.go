package widget

import (
	"image/color"
	"strconv"
)

// palette is the order in which series without a color option are
// colored: the ten colors of CloudWatch's graphs (D3's category10, which
// the AWS documentation's examples also use).
var palette = []string{
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
}

// colors are the colors of a theme.
type colors struct {
	background color.NRGBA
	text       color.NRGBA // titles, values
	muted      color.NRGBA // tick labels, legend
	axis       color.NRGBA
	grid       color.NRGBA
	annotation color.NRGBA // annotations without a color option
}

// themeColors returns the colors of a theme.
func themeColors(t Theme) colors {
	if t == ThemeDark {
		return colors{
			background: hexColor("#0f1b2a"),
			text:       hexColor("#e9ebed"),
			muted:      hexColor("#b6bec9"),
			axis:       hexColor("#5f6b7a"),
			grid:       hexColor("#2a3a4d"),
			annotation: hexColor("#8d99a8"),
		}
	}
	return colors{
		background: hexColor("#ffffff"),
		text:       hexColor("#16191f"),
		muted:      hexColor("#545b64"),
		axis:       hexColor("#879596"),
		grid:       hexColor("#e9ebed"),
		annotation: hexColor("#687078"),
	}
}

// hexColor parses "#rrggbb", which ParseWidget has validated.
func hexColor(s string) color.NRGBA {
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if len(s) != 7 || err != nil {
		panic("BUG: widget: color " + strconv.Quote(s) + " was not validated")
	}
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}
}

// withAlpha returns c with an opacity from 0 to 1.
func withAlpha(c color.NRGBA, a float64) color.NRGBA {
	c.A = uint8(a*255 + 0.5)
	return c
}
