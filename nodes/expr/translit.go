package expr

import "strings"

// transliterate replaces non-ASCII characters with ASCII look-alikes, as the
// transliteration package does for n8n's replaceSpecialChars(); characters
// it has no replacement for become "?".
func transliterate(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		if t, ok := translitTable[r]; ok {
			b.WriteString(t)
			continue
		}
		b.WriteByte('?')
	}
	return b.String()
}

var translitTable = func() map[rune]string {
	m := map[rune]string{}
	add := func(from string, to ...string) {
		i := 0
		for _, r := range from {
			m[r] = to[i]
			i++
		}
	}
	// Latin-1 Supplement
	add("\u00a0¡¢£¤¥¦§¨©ª«¬\u00ad®¯°±²³´µ¶·¸¹º»¼½¾¿",
		" ", "!", "C/", "PS", "$?", "Y=", "|", "SS", "\"", "(c)", "a", "<<", "!", "", "(r)", "-", "deg",
		"+-", "2", "3", "'", "u", "P", "*", ",", "1", "o", ">>", " 1/4", " 1/2", " 3/4", "?")
	add("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞß",
		"A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I", "D", "N", "O",
		"O", "O", "O", "O", "x", "O", "U", "U", "U", "U", "Y", "Th", "ss")
	add("àáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ",
		"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", "d", "n", "o",
		"o", "o", "o", "o", "/", "o", "u", "u", "u", "u", "y", "th", "y")
	// Latin Extended-A
	add("ĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĲĳĴĵĶķĸĹĺĻļĽľĿŀŁł",
		"A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d", "D", "d", "E", "e",
		"E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g", "G", "g", "G", "g", "H", "h", "H", "h",
		"I", "i", "I", "i", "I", "i", "I", "i", "I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l",
		"L", "l", "L", "l", "L", "l", "L", "l")
	add("ŃńŅņŇňŉŊŋŌōŎŏŐőŒœŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſ",
		"N", "n", "N", "n", "N", "n", "'n", "NG", "ng", "O", "o", "O", "o", "O", "o", "OE", "oe", "R", "r",
		"R", "r", "R", "r", "S", "s", "S", "s", "S", "s", "S", "s", "T", "t", "T", "t", "T", "t", "U", "u",
		"U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z",
		"z", "s")
	// Latin Extended-B (common) and Vietnamese
	add("ƒƠơƯưǍǎǏǐǑǒǓǔȘșȚțẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ",
		"f", "O", "o", "U", "u", "A", "a", "I", "i", "O", "o", "U", "u", "S", "s", "T", "t",
		"A", "a", "A", "a", "A", "a", "A", "a", "A", "a", "A", "a", "A", "a", "A", "a", "A", "a", "A", "a",
		"A", "a", "A", "a", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e",
		"I", "i", "I", "i", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o",
		"O", "o", "O", "o", "O", "o", "O", "o", "U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "U", "u",
		"U", "u", "Y", "y", "Y", "y", "Y", "y", "Y", "y")
	// Greek
	add("ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩΆΈΉΊΌΎΏ",
		"A", "B", "G", "D", "E", "Z", "E", "Th", "I", "K", "L", "M", "N", "Ks", "O", "P", "R", "S", "T",
		"Y", "Ph", "Kh", "Ps", "O", "A", "E", "E", "I", "O", "Y", "O")
	add("αβγδεζηθικλμνξοπρςστυφχψωάέήίόύώϊϋΐΰ",
		"a", "b", "g", "d", "e", "z", "e", "th", "i", "k", "l", "m", "n", "ks", "o", "p", "r", "s", "s",
		"t", "y", "ph", "kh", "ps", "o", "a", "e", "e", "i", "o", "y", "o", "i", "y", "i", "y")
	// Cyrillic
	add("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
		"A", "B", "V", "G", "D", "E", "Yo", "Zh", "Z", "I", "Y", "K", "L", "M", "N", "O", "P", "R", "S",
		"T", "U", "F", "Kh", "Ts", "Ch", "Sh", "Shch", "", "Y", "", "E", "Yu", "Ya")
	add("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
		"a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
		"t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya")
	add("ЄєІіЇїҐґЎў", "Ye", "ye", "I", "i", "Yi", "yi", "G", "g", "U", "u")
	// punctuation and symbols
	add("‐‑‒–—―‘’‚‛“”„‟†‡•…‰′″‹›€™←↑→↓",
		"-", "-", "-", "-", "-", "-", "'", "'", ",", "'", "\"", "\"", ",,", "\"", "+", "++", "*", "...",
		"%0", "'", "\"", "<", ">", "EUR", "TM", "<-", "^", "->", "v")
	add("\u2002\u2003\u2009\u200a\u202f\u3000\u200b\ufeff", " ", " ", " ", " ", " ", " ", "", "")
	return m
}()
