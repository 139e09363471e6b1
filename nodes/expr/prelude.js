// weft's expression prelude: n8n's extension methods and global helpers,
// written for goja. It runs once per runtime, before the builtins are
// frozen, as a function of the Go helpers (N) and returns the functions the
// engine installs on the base global objects. Everything here is weft's own
// code; its behaviour follows n8n 1.123's extension functions.
(function (N, G) {
	'use strict';

	const ObjectRef = Object;
	const ReflectRef = Reflect;
	const { keys: objectKeys, values: objectValues, entries: objectEntries, freeze } = Object;
	const isArray = Array.isArray;
	const jsonStringify = JSON.stringify;
	const jsonParse = JSON.parse;
	const MathRef = Math;
	const DateRef = Date;
	const NumberRef = Number;
	const StringRef = String;
	const parseFloatRef = parseFloat;
	const parseIntRef = parseInt;

	const throwExt = (msg, description) => N.throwExt(msg, description === undefined ? '' : description);
	const throwExpr = (msg) => N.throwExt(msg, '');

	// --- dates ------------------------------------------------------------

	const isDateTime = (v) => !!v && N.isDateTime(v);
	const isJSDate = (v) => v instanceof DateRef;

	// --- equality as lodash isEqual -----------------------------------------

	function isEqual(a, b) {
		if (a === b || (a !== a && b !== b)) return true;
		if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
		if (ObjectRef.getPrototypeOf(a) !== ObjectRef.getPrototypeOf(b)) return false;
		if (isJSDate(a)) return a.getTime() === b.getTime();
		if (isArray(a)) {
			if (a.length !== b.length) return false;
			for (let i = 0; i < a.length; i++) if (!isEqual(a[i], b[i])) return false;
			return true;
		}
		const ka = objectKeys(a);
		const kb = objectKeys(b);
		if (ka.length !== kb.length) return false;
		for (const k of ka) {
			if (!ObjectRef.prototype.hasOwnProperty.call(b, k) || !isEqual(a[k], b[k])) return false;
		}
		return true;
	}

	function uniqWith(list, eq) {
		const out = [];
		for (const v of list) {
			if (!out.some((w) => eq(w, v))) out.push(v);
		}
		return out;
	}

	function defineField(target, key, value) {
		ObjectRef.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
	}

	function spread(v) {
		const out = {};
		for (const k of objectKeys(v)) defineField(out, k, v[k]);
		return out;
	}

	// --- strings ------------------------------------------------------------

	const CURRENCY_SYMBOLS = [
		'Lek', '\u060b', '$', '\u0192', '\u20bc', 'Br', 'BZ$', '$b', 'KM', 'P', '\u043b\u0432', 'R$',
		'\u17db', '\u00a5', '\u20a1', 'kn', '\u20b1', 'K\u010d', 'kr', 'RD$', '\u00a3', '\u20ac', '\u00a2',
		'Q', 'L', 'Ft', '\u20b9', 'Rp', '\ufdfc', '\u20aa', 'J$', '\u20a9', '\u20ad', '\u0434\u0435\u043d',
		'RM', '\u20a8', '\u20ae', 'MT', 'C$', '\u20a6', 'B/.', 'Gs', 'S/.', 'z\u0142', 'lei', '\u20bd',
		'\u0414\u0438\u043d.', 'S', 'R', 'CHF', 'NT$', '\u0e3f', 'TT$', '\u20ba', '\u20b4', '$U', 'Bs',
		'\u20ab', 'Z$',
	];
	const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&');
	const CURRENCY_RE = new RegExp('(' + CURRENCY_SYMBOLS.map(escapeRe).join('|') + ')', 'gu');

	const DOMAIN_EXTRACT_RE =
		/^(?:(?:https?|ftp):\/\/)?(?:mailto:)?(?:\/\/)?((?:www\.)?(?:(?:[-\w]+\.)+(?:[a-zA-Z]{2,}|xn--[a-zA-Z0-9]+)|localhost|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}))(?::\d+)?(?:\/[^\s?]*)?(?:\?[^\s#]*)?(?:#[^\s]*)?$/i;
	const DOMAIN_RE =
		/^(?:www\.)?((?:(?:[-\w]+\.)+(?:[a-zA-Z]{2,}|xn--[a-zA-Z0-9]+)|localhost|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}))(?::\d+)?(?:\/[^\s?]*)?(?:\?[^\s#]*)?(?:#[^\s]*)?$/i;
	const EMAIL_RE =
		/(([^<>()\[\]\\.,;:\s@"]+(\.[^<>()\[\]\\.,;:\s@"]+)*)|(".+"))@(?<domain>(\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))/;
	const URL_EXACT_RE =
		/^(?:(?:https?|ftp):\/\/)(?:www\.)?((?:(?:[-\w]+\.)+(?:[a-zA-Z]{2,}|xn--[a-zA-Z0-9]+)|localhost|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}))(?::\d+)?(?:\/[^\s?#]*)?(?:\?[^\s#]*)?(?=([^\s]+#.*)?)#?[^\s]*$/i;
	const URL_RE =
		/(?:(?:https?|ftp):\/\/)(?:www\.)?((?:(?:[-\w]+\.)+(?:[a-zA-Z]{2,}|xn--[a-zA-Z0-9]+)|localhost|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}))(?::\d+)?(?:\/[^\s?#]*)?(?:\?[^\s#]*)?(?=([^\s]+#.*)?)#?[^\s]*/i;

	// title case as the title-case package (v3) does it
	const SMALL_WORDS =
		/\b(?:an?d?|a[st]|because|but|by|en|for|i[fn]|neither|nor|o[fnr]|only|over|per|so|some|tha[tn]|the|to|up|upon|vs?\.?|versus|via|when|with|without|yet)\b/i;
	const TITLE_TOKENS = /[^\s:\u2013\u2014-]+|./g;
	const MANUAL_CASE = /.(?=[A-Z]|\..)/;
	const FIRST_ALNUM = /[A-Za-z0-9\u00C0-\u00FF]/;
	function titleCase(input) {
		let out = '';
		TITLE_TOKENS.lastIndex = 0;
		let m;
		while ((m = TITLE_TOKENS.exec(input)) !== null) {
			const token = m[0];
			const at = m.index;
			const end = at + token.length;
			const keep =
				MANUAL_CASE.test(token) ||
				(SMALL_WORDS.test(token) && at !== 0 && end !== input.length) ||
				(input.charAt(end) === ':' && !/\s/.test(input.charAt(end + 1)));
			out += keep ? token : token.replace(FIRST_ALNUM, (c) => c.toUpperCase());
		}
		return out;
	}

	function removeMarkdown(value) {
		let s = value;
		try {
			s = s.replace(/^([\s\t]*)([*\-+]|\d\.)\s+/gm, '$1');
			s = s.replace(/\n={2,}/g, '\n').replace(/~~/g, '').replace(/`{3}.*\n/g, '');
			s = s
				.replace(/<[\w|\s|=|'|"|:|(|)|,|;|/|0-9|.|-]+[>|\\>]/g, '')
				.replace(/^[=-]{2,}\s*$/g, '')
				.replace(/\[\^.+?\](: .*?$)?/g, '')
				.replace(/\s{0,2}\[.*?\]: .*?$/g, '')
				.replace(/!\[.*?\][[(].*?[\])]/g, '')
				.replace(/\[(.*?)\][[(].*?[\])]/g, '$1')
				.replace(/>/g, '')
				.replace(/^\s{1,2}\[(.*?)\]: (\S+)( ".*?")?\s*$/g, '')
				.replace(/^#{1,6}\s*([^#]*)\s*(#{1,6})?/gm, '$1')
				.replace(/([*_]{1,3})(\S.*?\S)\1/g, '$2')
				.replace(/(`{3,})(.*?)\1/gm, '$2')
				.replace(/^-{3,}\s*$/g, '')
				.replace(/`(.+?)`/g, '$1')
				.replace(/\n{2,}/g, '\n\n');
		} catch (e) {
			return value;
		}
		return s;
	}

	function isEmailString(v) {
		return EMAIL_RE.test(v) && !v.includes(' ');
	}

	function stringToDateTime(value, [fmt]) {
		return N.stringToDateTime(value, fmt === undefined ? '' : StringRef(fmt));
	}

	const S = new Map(objectEntries({
		hash(v, [alg]) {
			const a = alg === undefined ? 'md5' : alg.toLowerCase();
			const out = N.hash(v, a);
			if (out === undefined) {
				throwExt(`Unknown algorithm ${a}. Available algorithms are: md5,sha1,sha224,sha256,sha384,sha512,sha3, and Base64.`);
			}
			return out;
		},
		removeMarkdown,
		removeTags: (v) => v.replace(/<[^>]*>?/gm, ''),
		toDate(v) {
			const d = new DateRef(DateRef.parse(v));
			if (d.toString() === 'Invalid Date') throwExt('cannot convert to date');
			if (!/:/.test(v)) d.setHours(0, 0, 0);
			return d;
		},
		toDateTime: stringToDateTime,
		toBoolean(v) {
			const n = v.toLowerCase();
			return n.length > 0 && n !== 'false' && n !== 'no' && n !== '0';
		},
		toDecimalNumber: (v) => stringToFloat(v),
		toNumber(v) {
			const n = NumberRef(v.replace(CURRENCY_RE, ''));
			if (n !== n) throwExt('cannot convert to number');
			return n;
		},
		toFloat: (v) => stringToFloat(v),
		toInt: (v, args) => stringToInt(v, args),
		toWholeNumber: (v, args) => stringToInt(v, args),
		toSentenceCase: (v) => N.sentenceCase(v),
		toSnakeCase: (v) =>
			v
				.toLocaleLowerCase()
				.replace(/[ \-]/g, '_')
				.replace(/[\u2000-\u206F\u2E00-\u2E7F\\'!"#$%&()*+,.\/:;<=>?@\[\]^`{|}~]/g, ''),
		toTitleCase: (v) => titleCase(v),
		urlDecode: (v, [all = false]) => (all ? decodeURI(v.toString()) : decodeURIComponent(v.toString())),
		urlEncode: (v, [all = false]) => (all ? encodeURI(v.toString()) : encodeURIComponent(v.toString())),
		quote(v, [q = '"']) {
			const escaped = v.replace(/\\/g, '\\\\');
			return `${q}${escaped.replace(new RegExp(`\\${q}`, 'g'), `\\${q}`)}${q}`;
		},
		replaceSpecialChars: (v) => N.transliterate(v),
		length: (v) => v.length,
		isDomain: (v) => DOMAIN_RE.test(v),
		isEmail: (v) => isEmailString(v),
		isNumeric(v) {
			if (v.includes(' ')) return false;
			return !isNaN(v) && !isNaN(parseFloatRef(v));
		},
		isUrl: (v) => URL_EXACT_RE.test(v),
		isEmpty: (v) => v === '',
		isNotEmpty: (v) => v !== '',
		isBlank: (v) => v.trim() === '',
		isNotBlank: (v) => v.trim() !== '',
		toJsonString: (v) => jsonStringify(v),
		extractEmail(v) {
			const m = EMAIL_RE.exec(v);
			return m ? m[0] : undefined;
		},
		extractDomain(v) {
			if (isEmailString(v)) {
				const m = EMAIL_RE.exec(v);
				return m ? m.groups && m.groups.domain : undefined;
			}
			const m = v.match(DOMAIN_EXTRACT_RE);
			return m ? m[1] : undefined;
		},
		extractUrl(v) {
			const m = URL_RE.exec(v);
			return m ? m[0] : undefined;
		},
		extractUrlPath: (v) => N.urlPath(v),
		parseJson(v) {
			try {
				return jsonParse(v);
			} catch (e) {
				if (v.includes("'")) throwExt("Parsing failed. Check you're using double quotes");
				throwExt('Parsing failed');
			}
		},
		base64Encode: (v) => N.base64Encode(v),
		base64Decode: (v) => N.base64Decode(v),
	}));

	function stringToInt(v, [radix]) {
		const n = parseIntRef(v.replace(CURRENCY_RE, ''), radix);
		if (n !== n) throwExt('cannot convert to integer');
		return n;
	}

	function stringToFloat(v) {
		if (v.includes(',')) throwExt('cannot convert to float, expected . as decimal separator');
		const n = parseFloatRef(v.replace(CURRENCY_RE, ''));
		if (n !== n) throwExt('cannot convert to float');
		return n;
	}

	// --- numbers ------------------------------------------------------------

	function numberRound(v, [dp = 0]) {
		return +v.toFixed(dp);
	}

	function numberToDateTime(v, [fmt = 'ms']) {
		return N.numberToDateTime(v, StringRef(fmt));
	}

	const Num = new Map(objectEntries({
		ceil: (v) => MathRef.ceil(v),
		floor: (v) => MathRef.floor(v),
		format: (v, [locales = 'en-US', options = {}]) => N.numberFormat(v, locales, options),
		round: numberRound,
		abs: (v) => MathRef.abs(v),
		isInteger: (v) => NumberRef.isInteger(v),
		isEven(v) {
			if (!NumberRef.isInteger(v)) throwExt('isEven() is only callable on integers');
			return v % 2 === 0;
		},
		isOdd(v) {
			if (!NumberRef.isInteger(v)) throwExt('isOdd() is only callable on integers');
			return MathRef.abs(v) % 2 === 1;
		},
		toBoolean: (v) => v !== 0,
		toInt: (v) => numberRound(v, []),
		toFloat: (v) => v,
		toDateTime: numberToDateTime,
	}));

	// --- arrays -------------------------------------------------------------

	function ensureNumbers(arr, fn) {
		if (arr.some((i) => typeof i !== 'number')) throwExt(`${fn}(): all array elements must be numbers`);
	}
	function arraySum(v) {
		ensureNumbers(v, 'sum');
		return v.reduce((p, c) => (typeof c === 'string' ? p + parseFloatRef(c) : typeof c !== 'number' ? NaN : p + c), 0);
	}
	const toNum = (x) => (typeof x === 'string' ? parseFloatRef(x) : typeof x !== 'number' ? NaN : x);
	function arrayAverage(v) {
		ensureNumbers(v, 'average');
		if (v.length === 0) return 0;
		return arraySum(v) / v.length;
	}
	function arrayUnique(v, fields) {
		const key = (item) => {
			if (fields.length > 0 && item && typeof item === 'object') {
				const o = {};
				for (const f of fields) o[f] = item[f];
				return o;
			}
			return item;
		};
		return uniqWith(v, (a, b) => isEqual(key(a), key(b)));
	}
	function objectCompact(value) {
		const out = {};
		for (const [k, val] of objectEntries(value)) {
			if (val === null || val === undefined || val === 'nil' || val === '') continue;
			if (typeof val === 'object') {
				if (objectKeys(val).length === 0) continue;
				defineField(out, k, objectCompact(val));
			} else {
				defineField(out, k, val);
			}
		}
		return out;
	}
	function chunk(v, [size]) {
		if (typeof size !== 'number' || size === 0) throwExt('chunk(): expected non-zero numeric arg, e.g. .chunk(5)');
		const out = [];
		for (let i = 0; i < v.length; i += size) out.push(v.slice(i, i + size));
		return out;
	}
	function mergeTwo(value, other) {
		if (!other) return value;
		if (typeof other !== 'object') throwExt('merge(): expected object arg');
		const out = spread(value);
		for (const [k, val] of objectEntries(other)) {
			if (!(k in out)) defineField(out, k, val);
		}
		return out;
	}
	function expectArray(fn, others, example) {
		if (!isArray(others)) throwExt(`${fn}(): expected array arg, e.g. .${fn}(${example})`);
	}

	const A = new Map(objectEntries({
		removeDuplicates: (v, args) => arrayUnique(v, args),
		unique: (v, args) => arrayUnique(v, args),
		first: (v) => v[0],
		last: (v) => v[v.length - 1],
		pluck(v, fields) {
			if (!fields || fields.length === 0) return v;
			const out = [];
			for (const cur of v) {
				if (!cur || typeof cur !== 'object') continue;
				const p = [];
				for (const k of objectKeys(cur)) {
					for (const f of fields) if (f === k) p.push(cur[k]);
				}
				if (p.length > 0) out.push(p.length === 1 ? p[0] : p);
			}
			return out;
		},
		randomItem: (v) => (v.length ? v[MathRef.floor(MathRef.random() * v.length)] : undefined),
		sum: arraySum,
		min(v) {
			ensureNumbers(v, 'min');
			return MathRef.min(...v.map(toNum));
		},
		max(v) {
			ensureNumbers(v, 'max');
			return MathRef.max(...v.map(toNum));
		},
		average: arrayAverage,
		isNotEmpty: (v) => v.length > 0,
		isEmpty: (v) => v.length === 0,
		compact: (v) =>
			v
				.filter((x) => {
					if (x && typeof x === 'object' && objectKeys(x).length === 0) return false;
					return x !== null && x !== undefined && x !== 'nil' && x !== '';
				})
				.map((x) => (typeof x === 'object' && x !== null ? objectCompact(x) : x)),
		smartJoin(v, [keyField, valueField]) {
			if (!keyField || !valueField || typeof keyField !== 'string' || typeof valueField !== 'string') {
				throwExt('smartJoin(): expected two string args, e.g. .smartJoin("name", "value")');
			}
			const out = {};
			for (const x of v) {
				if (typeof x === 'object' && x !== null && keyField in x && valueField in x) {
					defineField(out, x[keyField], x[valueField]);
				}
			}
			return out;
		},
		chunk,
		renameKeys(v, args) {
			if (args.length === 0 || args.length % 2 !== 0) {
				throwExt('renameKeys(): expected an even amount of args: from1, to1 [, from2, to2, ...]. e.g. .renameKeys("name", "title")');
			}
			const pairs = chunk(args, [2]);
			return v.map((x) => {
				if (typeof x !== 'object' || x === null) return x;
				const o = spread(x);
				for (const [from, to] of pairs) {
					if (from in o) {
						const val = o[from];
						delete o[from];
						defineField(o, to, val);
					}
				}
				return o;
			});
		},
		merge(v, [others]) {
			if (others === undefined) {
				return v.reduce((acc, cur) => (cur !== null && typeof cur === 'object' && !isArray(cur) ? mergeTwo(acc, cur) : acc), {});
			}
			if (!isArray(others)) throwExt('merge(): expected array arg, e.g. .merge([{ id: 1, otherValue: 3 }])');
			const n = v.length > others.length ? v.length : others.length;
			let out = {};
			for (let i = 0; i < n; i++) {
				if (v[i] !== undefined && typeof v[i] === 'object' && typeof others[i] === 'object') {
					out = ObjectRef.assign(out, mergeTwo(v[i], others[i]));
				}
			}
			return out;
		},
		union(v, [others]) {
			expectArray('union', others, '[1, 2, 3, 4]');
			const out = Array.from(v);
			for (const x of others) if (out.findIndex((w) => isEqual(w, x)) === -1) out.push(x);
			return arrayUnique(out, []);
		},
		difference(v, [others]) {
			expectArray('difference', others, '[1, 2, 3, 4]');
			const out = [];
			for (const x of v) if (others.findIndex((w) => isEqual(w, x)) === -1) out.push(x);
			return arrayUnique(out, []);
		},
		intersection(v, [others]) {
			expectArray('intersection', others, '[1, 2, 3, 4]');
			const out = [];
			for (const x of v) if (others.findIndex((w) => isEqual(w, x)) !== -1) out.push(x);
			for (const x of others) if (v.findIndex((w) => isEqual(w, x)) !== -1) out.push(x);
			return arrayUnique(out, []);
		},
		append: (v, args) => v.concat(args),
		toJsonString: (v) => jsonStringify(v),
		toInt: () => undefined,
		toFloat: () => undefined,
		toBoolean: () => undefined,
		toDateTime: () => undefined,
	}));

	// --- objects ------------------------------------------------------------

	function urlEncodeParams(obj) {
		const enc = (s) =>
			encodeURIComponent(s)
				.replace(/%20/g, '+')
				.replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
		return objectKeys(obj)
			.map((k) => enc(k) + '=' + enc(StringRef(obj[k])))
			.join('&');
	}

	const O = new Map(objectEntries({
		isEmpty: (v) => objectKeys(v).length === 0,
		isNotEmpty: (v) => objectKeys(v).length !== 0,
		hasField: (v, [name]) => name in v,
		removeField(v, [name]) {
			if (name in v) {
				const o = spread(v);
				delete o[name];
				return o;
			}
			return v;
		},
		removeFieldsContaining(v, [match]) {
			if (typeof match !== 'string' || match === '') throwExt('removeFieldsContaining(): expected non-empty string arg');
			const o = spread(v);
			for (const [k, val] of objectEntries(v)) if (typeof val === 'string' && val.includes(match)) delete o[k];
			return o;
		},
		keepFieldsContaining(v, [match]) {
			if (typeof match !== 'string' || match === '') throwExt('argument of keepFieldsContaining must be a non-empty string');
			const o = spread(v);
			for (const [k, val] of objectEntries(v)) if (typeof val !== 'string' || !val.includes(match)) delete o[k];
			return o;
		},
		compact: objectCompact,
		urlEncode: (v) => urlEncodeParams(v),
		keys: (v) => objectKeys(v),
		values: (v) => objectValues(v),
		toJsonString: (v) => jsonStringify(v),
		toInt: () => undefined,
		toFloat: () => undefined,
		toBoolean: () => undefined,
		toDateTime: () => undefined,
	}));

	// --- booleans -----------------------------------------------------------

	const B = new Map(objectEntries({
		toBoolean: (v) => v,
		toInt: (v) => (v ? 1 : 0),
		toFloat: (v) => (v ? 1 : 0),
		toNumber: (v) => (v ? 1 : 0),
		toDateTime: () => undefined,
	}));

	// --- dates: n8n's date extensions come from the luxon package ---------------

	const DATE_EXTENSIONS = [
		'beginningOf', 'endOfMonth', 'extract', 'isBetween', 'isDst', 'isInLast', 'isWeekend', 'minus',
		'plus', 'format', 'toDateTime', 'diffTo', 'diffToNow', 'toInt', 'toFloat', 'toBoolean', 'isEmpty',
		'isNotEmpty',
	];
	const D = new Map(DATE_EXTENSIONS.map((name) => [name, (d, args) => N.callDateExt(d, name, args)]));

	// --- dispatch as n8n's extend() -------------------------------------------

	const GENERIC = new Map([
		['isEmpty', (v) => v === null || v === undefined || !v],
		['isNotEmpty', (v) => !(v === null || v === undefined || !v)],
	]);
	const TABLES = [
		['Array', A], ['Date', D], ['Number', Num], ['Object', O], ['String', S], ['Boolean', B],
	];
	const UNSAFE = new Set(N.unsafeProps);
	const ISO_MS_RE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.\d{3}Z/;

	function isDateString(v) {
		if (typeof v !== 'string' || !v.length || !ISO_MS_RE.test(v)) return false;
		const d = new DateRef(v);
		return !isNaN(d.valueOf()) && d.toISOString() === v;
	}

	function find(input, name) {
		let fn;
		if (isArray(input)) fn = A.get(name);
		else if (isDateString(input) && name !== 'toDate' && name !== 'toDateTime') {
			input = new DateRef(input);
			fn = D.get(name);
		} else if (typeof input === 'string') fn = S.get(name);
		else if (typeof input === 'number') fn = Num.get(name);
		else if (input && (isDateTime(input) || isJSDate(input))) fn = D.get(name);
		else if (input !== null && typeof input === 'object') fn = O.get(name);
		else if (typeof input === 'boolean') fn = B.get(name);
		if (!fn) {
			if (input && name && typeof input[name] === 'function') return { native: true, fn: input[name], input };
			fn = GENERIC.get(name);
		}
		return fn ? { native: false, fn, input } : undefined;
	}

	function ext(input, name, ...args) {
		name = typeof name === 'string' ? name : StringRef(name);
		if (UNSAFE.has(name)) throwExpr(`Cannot access "${name}" via expression extension due to security concerns`);
		const f = find(input, name);
		if (!f) {
			if (input === undefined || input === null) {
				throwExt(`${name} can't be used on ${StringRef(input)} value`,
					`To ignore this error, add a ? to the variable before this function, e.g. my_var?.${name}`);
			}
			const types = TABLES.filter(([, m]) => m.has(name)).map(([t]) => t);
			if (!types.length) throwExt(`Unknown expression function: ${name}`);
			if (types.length > 1) {
				const last = types.pop();
				throwExt(`${name}() is only callable on types ${types.map((t) => `"${t}"`).join(', ')}, and "${last}"`);
			}
			throwExt(`${name}() is only callable on type "${types[0]}"`);
		}
		if (f.native) return ReflectRef.apply(f.fn, f.input, args);
		return f.fn(f.input, args);
	}

	function extOpt(input, name, ...args) {
		if (input === undefined || input === null) return undefined;
		return ext(input, name, ...args);
	}

	function sanitize(v) {
		const k = StringRef(v);
		if (UNSAFE.has(k)) throwExpr(`Cannot access "${k}" due to security concerns`);
		return k;
	}

	// --- global helpers ---------------------------------------------------

	function numberList(start, end) {
		const size = MathRef.abs(start - end) + 1;
		const arr = new Array(size);
		let cur = start;
		for (let i = 0; i < size; i++) arr[i] = start < end ? cur++ : cur--;
		return arr;
	}
	function zip(ks, vs) {
		if (!isArray(ks) || !isArray(vs)) throwExt('keys and values must be arrays');
		if (ks.length !== vs.length) throwExt('keys and values not of equal length');
		const out = {};
		for (let i = 0; i < ks.length; i++) defineField(out, ks[i], vs[i]);
		return out;
	}
	const average = (...args) => arrayAverage(args);
	const not = (v) => !v;
	function ifEmpty(value, defaultValue) {
		if (arguments.length !== 2) throwExpr('expected two arguments (value, defaultValue) for this function');
		if (value === undefined || value === null || value === '') return defaultValue;
		if (typeof value === 'object') {
			if (isArray(value) && !value.length) return defaultValue;
			if (!objectKeys(value).length) return defaultValue;
		}
		return value;
	}
	function $if(test, a, b) {
		if (arguments.length < 2) throwExt('$if requires at least 2 parameters: test, value_if_true[, and value_if_false]');
		return test ? a : arguments.length > 2 ? b : false;
	}
	function jmespath(data, query) {
		if (typeof data !== 'object' || typeof query !== 'string') {
			throwExpr('expected two arguments (Object, string) for this function');
		}
		return N.jmespath(data, query);
	}

	function NumberFormat(locales, options) {
		const opts = options === undefined ? {} : options;
		return freeze({
			format: (n) => N.numberFormat(NumberRef(n), locales === undefined ? 'en-US' : locales, opts),
			resolvedOptions: () => ({ locale: typeof locales === 'string' ? locales : 'en-US' }),
		});
	}
	const Intl = { NumberFormat };

	// --- memory guards on builtins that build big values in one call ---------

	const maxChars = N.maxChars;
	const maxElems = N.maxElems;
	const protoString = StringRef.prototype;
	const origRepeat = protoString.repeat;
	const origPadStart = protoString.padStart;
	const origPadEnd = protoString.padEnd;
	const origFill = Array.prototype.fill;
	const origJoin = Array.prototype.join;
	const origFrom = Array.from;
	const call = (f, self, args) => ReflectRef.apply(f, self, args);
	const guards = {
		repeat: function repeat(count) {
			const n = MathRef.trunc(NumberRef(count)) || 0;
			if (n > 0 && n !== Infinity && StringRef(this).length * n > maxChars) return N.memoryLimit();
			return call(origRepeat, this, arguments);
		},
		padStart: function padStart(len) {
			if (NumberRef(len) > maxChars) return N.memoryLimit();
			return call(origPadStart, this, arguments);
		},
		padEnd: function padEnd(len) {
			if (NumberRef(len) > maxChars) return N.memoryLimit();
			return call(origPadEnd, this, arguments);
		},
		fill: function fill() {
			if (ObjectRef(this).length > maxElems) return N.memoryLimit();
			return call(origFill, this, arguments);
		},
		join: function join() {
			if (ObjectRef(this).length > maxElems) return N.memoryLimit();
			return call(origJoin, this, arguments);
		},
		from: function from(src) {
			if (src !== null && src !== undefined && ObjectRef(src).length > maxElems) return N.memoryLimit();
			return call(origFrom, this, arguments);
		},
	};
	const define = (obj, k, v) => ObjectRef.defineProperty(obj, k, { value: v, writable: true, configurable: true, enumerable: false });
	define(protoString, 'repeat', guards.repeat);
	define(protoString, 'padStart', guards.padStart);
	define(protoString, 'padEnd', guards.padEnd);
	define(Array.prototype, 'fill', guards.fill);
	define(Array.prototype, 'join', guards.join);
	define(Array, 'from', guards.from);
	// --- guards on natives that recurse in Go once per nesting level --------

	const JSONRef = JSON;
	const origStringify = JSONRef.stringify;
	const origParse = JSONRef.parse;
	const origFlat = Array.prototype.flat;
	define(JSONRef, 'stringify', function stringify(value, replacer, space) {
		return N.stringify(origStringify, value, replacer, space);
	});
	define(JSONRef, 'parse', function parse(text, reviver) {
		N.checkJSONText(StringRef(text));
		return call(origParse, JSONRef, arguments);
	});
	define(Array.prototype, 'flat', function flat(depth) {
		let d = depth === undefined ? 1 : NumberRef(depth);
		if (d > N.maxJSONDepth) d = N.maxJSONDepth;
		return call(origFlat, this, [d]);
	});
	// The constructors that compile source at run time: Function and those
	// of generator, async and async generator functions (reachable as
	// (async () => {}).constructor). Each is replaced by one that checks
	// the source's nesting first, with the same prototype.
	function guardConstructor(Orig) {
		const proto = Orig.prototype;
		const Guarded = function (...args) {
			const strs = args.map((a) => StringRef(a));
			ReflectRef.apply(N.checkFunctionSource, undefined, strs);
			return ReflectRef.construct(Orig, strs);
		};
		ObjectRef.defineProperty(Guarded, 'name', { value: Orig.name, writable: false, enumerable: false, configurable: true });
		ObjectRef.defineProperty(Guarded, 'prototype', { value: proto, writable: false, enumerable: false, configurable: false });
		ObjectRef.defineProperty(Guarded, 'length', { value: 1, writable: false, enumerable: false, configurable: true });
		define(proto, 'constructor', Guarded);
		return Guarded;
	}
	ObjectRef.defineProperty(G, 'Function', {
		value: guardConstructor(Function), writable: true, enumerable: false, configurable: true,
	});
	for (const f of [function* () {}, async function () {}]) {
		guardConstructor(ObjectRef.getPrototypeOf(f).constructor);
	}
	define(NumberRef.prototype, 'toLocaleString', function toLocaleString(locales, options) {
		return N.numberFormat(NumberRef.prototype.valueOf.call(this), locales === undefined ? 'en-US' : locales, options === undefined ? {} : options);
	});

	// --- the safe Object of n8n's expressions ----------------------------------

	const blockedObjectMethods = new Set([
		'defineProperty', 'defineProperties', 'setPrototypeOf', 'getPrototypeOf', 'getOwnPropertyDescriptor',
		'getOwnPropertyDescriptors', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
	]);
	const safeCreate = (proto) => ObjectRef.create(proto);
	const SafeObject = new Proxy(ObjectRef, {
		get(target, prop, receiver) {
			if (blockedObjectMethods.has(prop)) return undefined;
			if (prop === 'create') return safeCreate;
			return ReflectRef.get(target, prop, receiver);
		},
		defineProperty() {
			return false;
		},
	});

	// --- freezing -----------------------------------------------------------

	// tame turns a data property of a shared prototype into an accessor pair
	// whose setter defines an own property on the receiver, so assignments
	// that would shadow it keep working once the prototype is frozen.
	function tame(proto, key) {
		const d = ReflectRef.getOwnPropertyDescriptor(proto, key);
		if (!d || !('value' in d) || !d.configurable) return;
		const value = d.value;
		ReflectRef.defineProperty(proto, key, {
			get() {
				return value;
			},
			set(nv) {
				if (this === proto) throw new TypeError(`Cannot assign to read only property '${StringRef(key)}' of object`);
				if (ObjectRef(this) !== this) return;
				ReflectRef.defineProperty(this, key, { value: nv, writable: true, enumerable: true, configurable: true });
			},
			enumerable: d.enumerable,
			configurable: false,
		});
	}

	function harden(roots) {
		const seen = new Set([SafeObject]);
		const objProto = ObjectRef.prototype;
		for (const k of ['toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'constructor']) {
			tame(objProto, k);
		}
		for (const E of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) {
			for (const k of ['name', 'message', 'constructor', 'toString']) tame(E.prototype, k);
		}
		const stack = roots.slice();
		stack.push(ObjectRef);
		while (stack.length) {
			const o = stack.pop();
			if (o === null || o === undefined || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
			seen.add(o);
			ObjectRef.freeze(o);
			stack.push(ObjectRef.getPrototypeOf(o));
			for (const k of ReflectRef.ownKeys(o)) {
				const d = ReflectRef.getOwnPropertyDescriptor(o, k);
				if (!d) continue;
				if ('value' in d) stack.push(d.value);
				else stack.push(d.get, d.set);
			}
		}
	}

	const intrinsics = [
		function* () {}, async function () {}, [][Symbol.iterator](), ''[Symbol.iterator](),
		new Map().entries(), new Set().values(), /x/[Symbol.matchAll](''), (function* () {})(),
	];

	return {
		ext, extOpt, sanitize, harden, intrinsics, SafeObject,
		globals: {
			min: MathRef.min, max: MathRef.max, not, average, numberList, zip,
			$min: MathRef.min, $max: MathRef.max, $average: average, $not: not, $ifEmpty: ifEmpty, $if,
			$jmespath: jmespath, $jmesPath: jmespath, Intl,
		},
	};
});
