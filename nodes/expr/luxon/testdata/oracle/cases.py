import json
C=[]
def add(tz, *exprs, json_=None):
    for e in exprs: C.append({"tz":tz,"expr":e,"json":json_ or {}})
U="UTC"
# construction
add(U,
 'DateTime.now().toISO()', 'DateTime.local().toISO()', 'DateTime.local(2024, 2, 29, 13, 5).toISO()',
 'DateTime.utc(2024, 3, 15).toISO()', 'DateTime.local(2024, 2, 30).isValid', 'DateTime.local(2024, 2, 30).invalidReason',
 'DateTime.local(2024, 2, 30).invalidExplanation', 'DateTime.local(2024, 13).invalidExplanation',
 'DateTime.local(2024, 3, 15, {zone: "Asia/Tokyo"}).toISO()',
 'DateTime.fromMillis(1710498600000).toISO()', 'DateTime.fromMillis(0, {zone: "America/New_York"}).toISO()',
 'DateTime.fromSeconds(1710498600).toISO()', 'DateTime.fromSeconds(1710498600.5).toMillis()',
 'DateTime.fromMillis(8.64e15 + 1).isValid', 'DateTime.fromMillis(8.64e15 + 1).invalidReason',
 'DateTime.fromJSDate(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))).toISO()', 'DateTime.fromJSDate(new Date("x")).isValid',
 'DateTime.fromObject({year: 2024, month: 2, day: 29, hour: 23}).toISO()',
 'DateTime.fromObject({year: 2023, month: 2, day: 29}).invalidReason',
 'DateTime.fromObject({year: 2023, month: 2, day: 29}).invalidExplanation',
 'DateTime.fromObject({hour: 7}).toISO()', 'DateTime.fromObject({day: 3}).toISO()', 'DateTime.fromObject({}).toISO()',
 'DateTime.fromObject({weekYear: 2024, weekNumber: 1}).toISO()', 'DateTime.fromObject({weekYear: 2020, weekNumber: 53, weekday: 5}).toISODate()',
 'DateTime.fromObject({ordinal: 60, year: 2024}).toISODate()', 'DateTime.fromObject({weekday: 3}).toISODate()',
 'DateTime.fromObject({year: 2024, month: 3, day: 15, weekday: 5}).isValid', 'DateTime.fromObject({year: 2024, month: 3, day: 15, weekday: 4}).invalidReason',
 'DateTime.fromObject({year: 2024, month: 6}, {zone: "Europe/Berlin"}).toISO()',
 'DateTime.fromObject({year: 2024, hour: 24}).toISO()', 'DateTime.fromObject({year: 2024, minute: 60}).invalidExplanation',
 'DateTime.isDateTime(DateTime.now())', 'DateTime.isDateTime(new Date())', 'DateTime.isDateTime({})',
 'DateTime.invalid("custom reason").toISO()', 'DateTime.invalid("custom reason").toString()', 'DateTime.invalid("custom reason").invalidReason',
 'DateTime.invalid("r").year', 'DateTime.invalid("r").toMillis()', 'DateTime.invalid("r").toObject()', 'DateTime.invalid("r").toJSON()',
 'DateTime.invalid("r").plus({days: 1}).isValid', 'DateTime.invalid("r").toFormat("yyyy")', 'DateTime.invalid("r").toISODate()',
 'DateTime.invalid("r").zoneName', 'DateTime.invalid("r").isInLeapYear', 'DateTime.invalid("r").diff(DateTime.now()).isValid',
 'DateTime.invalid("r").diff(DateTime.now()).invalidReason', 'DateTime.invalid("r") < DateTime.now()', 'JSON.stringify({a: DateTime.invalid("r")})',
 'DateTime.invalid("r").toLocaleString()', 'DateTime.invalid("r").monthLong', 'DateTime.invalid("r").weekday',
 'DateTime.max(DateTime.fromISO("2024-01-01"), DateTime.fromISO("2025-01-01")).toISO()',
 'DateTime.min(DateTime.fromISO("2024-01-01"), DateTime.fromISO("2025-01-01")).toISO()',
)
# fromISO variants
for s in ["2024","2024-03","2024-03-15","20240315","2024-03-15T10","2024-03-15T10:30","2024-03-15T1030","2024-03-15T10:30:15.123456",
          "2024-03-15T10:30:15,5","2024-03-15T10:30:00+05:30","2024-03-15T10:30:00-0800","2024-03-15T10:30:00-08","2024-W11","2024-W11-5",
          "2024W115","2024-075","2024075","10:30","10:30:15.250","T10:30","2024-03-15 10:30","2024-02-30","2024-13-01","",
          "+002024-03-15","-000001-01-01T00:00:00Z","2024-03-15T24:00","2024-03-15T10:30:00Z[Europe/Berlin]","2024-03-15T10:30:00[America/New_York]",
          "2024-03-15t10:30:00z","garbage","2024-03-15T10:30:00.000Z","2020-W53-7","2021-W01-1"]:
    add(U, 'DateTime.fromISO(%s).toISO()' % json.dumps(s))
    add(U, 'DateTime.fromISO(%s, {setZone: true}).toISO()' % json.dumps(s))
add(U, 'DateTime.fromISO("garbage").invalidReason', 'DateTime.fromISO("garbage").invalidExplanation', 'DateTime.fromISO("2024-02-30").invalidExplanation',
 'DateTime.fromISO("2024-03-15T10:30:00", {zone: "America/New_York"}).toISO()', 'DateTime.fromISO("2024-03-15T10:30:00Z", {zone: "America/New_York"}).toISO()',
 'DateTime.fromISO("2024-03-15T10:30:00", {zone: "Foo/Bar"}).invalidReason', 'DateTime.fromISO("2024-03-15T10:30:00", {zone: "utc+3"}).toISO()',
 'DateTime.fromISO("2024-03-15T10:30:00", {zone: "UTC-05:30"}).toISO()', 'DateTime.fromISO("2024-03-15T10:30:00", {zone: "Europe/London"}).toISO()',
 'DateTime.fromISO("2024-03-15T10:30:00", {zone: "Europe/London"}).zoneName', 'DateTime.fromISO("2024-03-15T10:30:00", {zone: "utc+3"}).zoneName',
 'DateTime.fromISO("2024-03-15T10:30:00", {zone: "UTC+5:30"}).zoneName', 'DateTime.fromISO("2024-03-15T10:30:00", {zone: 120}).zoneName',
)
# SQL, RFC2822, HTTP
for s in ["2024-03-15","2024-03-15 10:30:15","2024-03-15 10:30:15.123","2024-03-15 10:30:15 +05:00","2024-03-15 10:30:15+0500","2024-03-15 10:30:15 Europe/Paris","10:30:15","10:30","2024-03-15T10:30"]:
    add(U, 'DateTime.fromSQL(%s).toISO()' % json.dumps(s), 'DateTime.fromSQL(%s, {setZone: true}).toISO()' % json.dumps(s))
for s in ["Fri, 15 Mar 2024 10:30:00 +0100","15 Mar 2024 10:30 GMT","Fri, 15 Mar 24 10:30:00 EST","Fri,  15 Mar 2024 10:30:00 (comment) Z","Thu, 15 Mar 2024 10:30:00 +0000"]:
    add(U, 'DateTime.fromRFC2822(%s).toISO()' % json.dumps(s), 'DateTime.fromRFC2822(%s, {setZone: true}).toISO()' % json.dumps(s))
for s in ["Fri, 15 Mar 2024 10:30:00 GMT","Friday, 15-Mar-24 10:30:00 GMT","Fri Mar 15 10:30:00 2024","Fri Mar  5 10:30:00 2024"]:
    add(U, 'DateTime.fromHTTP(%s).toISO()' % json.dumps(s))
# fromFormat
for s,f in [("03/15/2024 14:05","MM/dd/yyyy HH:mm"),("15.3.2024","d.M.yyyy"),("March 15, 2024","MMMM d, yyyy"),("mar 15 24","MMM dd yy"),
            ("2024-03-15 2:05 PM","yyyy-MM-dd h:mm a"),("2024-03-15 12:05 am","yyyy-MM-dd h:mm a"),("2024-03-15T14:05:00+05:30","yyyy-MM-dd'T'HH:mm:ssZZ"),
            ("2024-03-15 14:05 +0530","yyyy-MM-dd HH:mm ZZZ"),("2024-03-15 14:05 Europe/Berlin","yyyy-MM-dd HH:mm z"),("Friday 2024-03-15","EEEE yyyy-MM-dd"),
            ("Thursday 2024-03-15","EEEE yyyy-MM-dd"),("2024 075","yyyy ooo"),("2024-W11-5","kkkk-'W'WW-c"),("Q2 2024","'Q'q yyyy"),
            ("1710498600","X"),("1710498600000","x"),("3/15/2024","D"),("Mar 15, 2024","DD"),("3/15/2024, 2:05 PM","f"),("14:05","T"),("2:05 PM","t"),
            ("15/03/2024","dd/MM/yyyy"),("nope","yyyy"),("2024-02-30","yyyy-MM-dd"),("2024-03-15 14:05:06.789","yyyy-MM-dd HH:mm:ss.SSS"),
            ("2024-03-15 14:05:06.7","yyyy-MM-dd HH:mm:ss.u"),("12 2024","H yyyy"),("2024","yyyy"),("AD 2024","G yyyy"),("3/5/2024, 2:05 PM","f")]:
    add(U, 'DateTime.fromFormat(%s, %s).toISO()' % (json.dumps(s), json.dumps(f)))
    add(U, 'DateTime.fromFormat(%s, %s, {setZone: true}).toISO()' % (json.dumps(s), json.dumps(f)))
add(U, 'DateTime.fromFormat("nope", "yyyy").invalidReason', 'DateTime.fromFormat("nope", "yyyy").invalidExplanation', 'DateTime.fromFormat("2024-03-15", "yyyy-MM-dd", {zone: "Asia/Tokyo"}).toISO()')
# getters
base='DateTime.fromISO("2024-03-15T10:30:45.123Z")'
for g in ["year","month","day","hour","minute","second","millisecond","weekday","weekNumber","weekYear","ordinal","quarter","daysInMonth","daysInYear","isInLeapYear","zoneName","offset","isValid","monthLong","monthShort","weekdayLong","weekdayShort","isOffsetFixed","isInDST","weeksInWeekYear","offsetNameShort","offsetNameLong","localWeekday","localWeekNumber","localWeekYear","invalidReason","locale","zone.name","zone.type","zone.isUniversal"]:
    add(U, base+"."+g)
for d in ["2021-01-01","2021-01-03","2020-12-31","2026-12-31","2027-01-01","2024-12-30","2019-12-30","2015-12-31","2016-01-03","2023-01-01","2024-02-29","1900-02-28","2000-02-29"]:
    add(U, 'DateTime.fromISO("%s").toFormat("kkkk-WW-c kk n nn ii iiii o ooo")' % d, 'DateTime.fromISO("%s").toISOWeekDate()' % d, 'DateTime.fromISO("%s").daysInMonth' % d)
# toFormat tokens
fmts=["yyyy yy y","LL L LLL LLLL LLLLL","MM M MMM MMMM MMMMM","dd d","ooo o","HH H hh h","mm m","ss s","SSS S u uu uuu","a","EEE EEEE E EEEEE","ccc cccc c ccccc","WW W","kkkk kk","q qq",
      "ZZ Z ZZZ z ZZZZ ZZZZZ","'quoted' yyyy 'it''s'","yyyy-MM-dd'T'HH:mm:ss.SSSZZ","D DD DDD DDDD","t tt ttt tttt","T TT TTT TTTT","f ff fff ffff","F FF FFF FFFF","X x","G GG GGGGG","yyyyyy","hh:mm a", "yyyyy", "'unterminated", "''", "MMMM, yyyy 'week' W"]
for z in ["UTC","America/New_York","Asia/Kolkata","UTC+2","Europe/London"]:
    for f in fmts:
        add(U, 'DateTime.fromISO("2024-03-05T09:05:07.089Z").setZone(%s).toFormat(%s)' % (json.dumps(z), json.dumps(f)))
add(U, 'DateTime.fromISO("0099-01-01T00:00:00Z").toFormat("yyyy yy y")', 'DateTime.fromISO("2024-03-05T00:05:07Z").toFormat("h a hh")', 'DateTime.fromISO("2024-03-05T12:05:07Z").toFormat("h a hh")')
# toLocaleString
for p in ["DATE_SHORT","DATE_MED","DATE_MED_WITH_WEEKDAY","DATE_FULL","DATE_HUGE","TIME_SIMPLE","TIME_WITH_SECONDS","TIME_WITH_SHORT_OFFSET","TIME_WITH_LONG_OFFSET","TIME_24_SIMPLE","TIME_24_WITH_SECONDS","TIME_24_WITH_SHORT_OFFSET","TIME_24_WITH_LONG_OFFSET","DATETIME_SHORT","DATETIME_SHORT_WITH_SECONDS","DATETIME_MED","DATETIME_MED_WITH_SECONDS","DATETIME_MED_WITH_WEEKDAY","DATETIME_FULL","DATETIME_FULL_WITH_SECONDS","DATETIME_HUGE","DATETIME_HUGE_WITH_SECONDS"]:
    for z in ["UTC","America/New_York","Europe/Berlin"]:
        add(U, 'DateTime.fromISO("2024-07-05T21:05:07Z").setZone(%s).toLocaleString(DateTime.%s)' % (json.dumps(z), p))
    add(U, 'JSON.stringify(DateTime.%s)' % p)
for o in ['{month: "long"}','{weekday: "long"}','{month: "short", day: "numeric"}','{year: "numeric", month: "long"}','{hour: "numeric"}','{hour: "2-digit", minute: "2-digit"}','{year: "2-digit", month: "2-digit", day: "2-digit"}','{dateStyle: "medium"}','{timeStyle: "short"}','{dateStyle: "full", timeStyle: "long"}','{}','undefined','{weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "numeric"}']:
    add(U, 'DateTime.fromISO("2024-03-05T09:05:07Z").toLocaleString(%s)' % o)
# ISO output options
add(U, base+'.toISO({suppressMilliseconds: true})', 'DateTime.fromISO("2024-03-15T10:30:00Z").toISO({suppressMilliseconds: true})',
 'DateTime.fromISO("2024-03-15T10:30:00Z").toISO({suppressSeconds: true})', base+'.toISO({includeOffset: false})', base+'.toISO({format: "basic"})',
 base+'.setZone("America/New_York").toISO({format: "basic"})', base+'.toISO({extendedZone: true})', base+'.setZone("Europe/Paris").toISO({extendedZone: true})',
 base+'.toISODate({format: "basic"})', base+'.toISOTime()', base+'.toISOTime({includePrefix: true, suppressMilliseconds: true})', base+'.toISOTime({includeOffset: false})',
 base+'.toISOWeekDate()', base+'.toRFC2822()', base+'.setZone("America/New_York").toRFC2822()', base+'.toHTTP()', base+'.toSQL()', base+'.toSQLDate()', base+'.toSQLTime()',
 base+'.setZone("Asia/Tokyo").toSQL({includeZone: true})', base+'.toSQL({includeOffset: false})', base+'.toMillis()', base+'.toSeconds()', base+'.toUnixInteger()', base+'.valueOf()',
 base+'.toJSDate().toISOString()', base+'.toJSON()', base+'.toString()', 'String('+base+')', base+' + 1', base+'.toObject()', base+'.toObject({includeConfig: true})',
 base+'.setZone("UTC+5:30").toISO()', base+'.setZone(-300).toISO()', base+'.setZone("utc").toISO()', base+'.setZone("local").toISO()', base+'.setZone("Nowhere/Zone").isValid',
 base+'.setZone("Nowhere/Zone").invalidExplanation', base+'.setZone("America/New_York", {keepLocalTime: true}).toISO()', base+'.toUTC(60).toISO()', base+'.toLocal().toISO()',
 base+'.setZone("Asia/Tokyo").toUTC().toISO()', base+'.get("month")', base+'.equals('+base+')', base+'.equals('+base+'.setZone("Asia/Tokyo"))',
 base+'.resolvedLocaleOptions()', base+'.setLocale("fr").toFormat("MMMM")',
)
# arithmetic
for e in ['plus({days: 1})','plus({months: 1})','plus({months: -1})','minus({months: 1})','plus({years: 1})','plus({quarters: 1})','plus({weeks: 2, days: 3})','plus({hours: 36})','plus({hours: 1.5})',
          'plus({days: 1.5})','plus({months: 1.5})','plus({years: 0.5})','plus({minutes: -90})','plus(3600000)','minus(1)','plus(Duration.fromObject({days: 2}))','plus({milliseconds: 999})',
          'plus({seconds: 0.5})','plus({day: 1, hour: 2})','plus(2, "days")','minus(3, "hours")','plus(1, "month")','plus(2, "hrs")','plus(1, "ms")','plus(5)','minus(2, "weeks")','plus(1.5, "days")',
          'set({month: 2})','set({day: 31})','set({month: 2, day: 30})','set({year: 2023})','set({weekday: 1})','set({weekNumber: 1})','set({ordinal: 1})','set({hour: 25})','set({hour: 0, minute: 0})',
          'set({weekYear: 2025})','startOf("year")','startOf("quarter")','startOf("month")','startOf("week")','startOf("day")','startOf("hour")','startOf("minute")','startOf("second")','startOf("millisecond")',
          'endOf("year")','endOf("quarter")','endOf("month")','endOf("week")','endOf("day")','endOf("hour")','endOf("minute")','endOf("second")','startOf("days")','endOf("months")']:
    for d in ["2024-01-31T10:30:45.123Z","2024-02-29T00:00:00Z","2023-12-31T23:59:59.999Z","2024-03-15T10:30:45.123Z","2025-05-31T05:00:00Z"]:
        add(U, 'DateTime.fromISO("%s").%s.toISO()' % (d, e))
add(U, 'DateTime.fromISO("2024-03-15").startOf("fortnight")', 'DateTime.fromISO("2024-03-15").plus({fortnights: 1})', 'DateTime.fromISO("2024-03-15").plus({days: "x"})',
 'DateTime.fromISO("2024-03-15").plus({days: true})', 'DateTime.fromISO("2024-03-15").plus({days: "2"}).toISO()', 'DateTime.fromISO("2024-03-15").plus("x")', 'DateTime.fromISO("2024-03-15").set({year: 2024, weekNumber: 3})')
# DST
for z,d,ops in [("America/New_York","2024-03-10T01:30:00",["plus({hours: 1})","plus({days: 1})","plus({minutes: 30})","startOf(\"day\")","endOf(\"day\")","set({hour: 2, minute: 30})","set({hour: 3})","isInDST","offset","plus({hours: 24})"]),
                ("America/New_York","2024-11-03T00:30:00",["plus({hours: 1})","plus({hours: 2})","plus({days: 1})","set({hour: 1, minute: 30})","endOf(\"day\")","isInDST","offset","diff(DateTime.fromISO(\"2024-11-04T00:30:00\", {zone: \"America/New_York\"}), \"hours\").hours"]),
                ("Europe/Berlin","2024-03-31T01:30:00",["plus({hours: 1})","plus({days: 1})","set({hour: 2, minute: 30})","isInDST","offsetNameShort","offsetNameLong"]),
                ("Europe/Berlin","2024-10-27T01:30:00",["plus({hours: 1})","plus({hours: 2})","set({hour: 2, minute: 30})","startOf(\"day\")","endOf(\"day\")"]),
                ("Australia/Sydney","2024-04-07T01:30:00",["plus({hours: 2})","plus({days: 1})","isInDST","offset"])]:
    for op in ops:
        add(U, 'DateTime.fromISO("%s", {zone: "%s"}).%s' % (d, z, op) + ('' if op in ('isInDST','offset','offsetNameShort','offsetNameLong') or op.startswith('diff') else '.toISO()'))
add(U, 'DateTime.fromISO("2024-03-10T02:30:00", {zone: "America/New_York"}).toISO()', 'DateTime.fromObject({year: 2024, month: 3, day: 10, hour: 2, minute: 30}, {zone: "America/New_York"}).toISO()',
 'DateTime.fromObject({year: 2024, month: 11, day: 3, hour: 1, minute: 30}, {zone: "America/New_York"}).toISO()', 'DateTime.local(2024, 11, 3, 1, 30, {zone: "America/New_York"}).toISO()',
 'DateTime.fromISO("2024-11-03T01:30:00-04:00").setZone("America/New_York").plus({hours: 1}).toISO()',
 'DateTime.fromISO("2024-11-03T01:30:00-05:00").setZone("America/New_York").toISO()')
# diff
pairs=[("2024-03-15T10:30:00Z","2024-04-01T00:00:00Z"),("2023-12-31T23:59:59Z","2023-01-01T12:00:00Z"),("2024-01-31T00:00:00Z","2024-02-29T00:00:00Z"),("2024-02-29T12:00:00Z","2025-02-28T12:00:00Z"),
       ("2020-02-29T00:00:00Z","2024-02-28T23:00:00Z"),("2024-03-15T10:30:00Z","2024-03-15T10:30:00Z"),("2024-03-09T12:00:00-05:00","2024-03-10T12:00:00-04:00"),("2000-01-01T00:00:00Z","2024-03-15T10:30:45.5Z")]
for a,b in pairs:
    for u in ['"milliseconds"','"seconds"','"minutes"','"hours"','"days"','"weeks"','"months"','"quarters"','"years"','["years","months","days"]','["months","days","hours"]','["weeks","days","hours","minutes"]','["years","hours"]','["days","minutes","seconds"]','undefined','["hours","days"]','["quarters","weeks"]']:
        add(U, 'JSON.stringify(DateTime.fromISO("%s").diff(DateTime.fromISO("%s"), %s).toObject())' % (b, a, u))
    add(U, 'DateTime.fromISO("%s").diff(DateTime.fromISO("%s"), "months").as("days")' % (b,a), 'DateTime.fromISO("%s").diff(DateTime.fromISO("%s"), ["months","days"], {conversionAccuracy: "longterm"}).as("years")' % (b,a))
add(U, 'DateTime.fromISO("2024-01-01T00:00:00", {zone: "America/New_York"}).diff(DateTime.fromISO("2023-06-01T00:00:00", {zone: "Asia/Tokyo"}), ["months","days","hours"]).toObject()',
 'DateTime.fromISO("2024-03-15").diffNow("days").days', 'DateTime.fromISO("2024-03-15").diffNow().toObject()', 'DateTime.fromISO("2024-03-15").diff(DateTime.fromISO("2024-03-10"), "fortnights")',
 'DateTime.fromISO("2024-03-15").until(DateTime.fromISO("2024-03-20")).length("days")')
# hasSame
for u in ["year","quarter","month","week","day","hour","minute","second","millisecond"]:
    add(U, 'DateTime.fromISO("2024-03-15T10:30:00Z").hasSame(DateTime.fromISO("2024-03-11T00:00:00Z"), "%s")' % u)
    add(U, 'DateTime.fromISO("2024-03-15T23:30:00Z").hasSame(DateTime.fromISO("2024-03-16T00:30:00+02:00", {setZone: true}), "%s")' % u)
# relative
for d in ["2024-05-20T12:34:50.789Z","2024-05-20T12:00:00Z","2024-05-21T13:00:00Z","2024-05-19T12:34:56.789Z","2023-05-20T12:00:00Z","2024-08-20T12:00:00Z","2024-05-20T12:34:56.789Z","2026-01-01T00:00:00Z","2024-05-13T00:00:00Z"]:
    for o in ['','{style: "short"}','{unit: "days"}','{unit: ["hours","minutes"]}','{round: false}','{base: DateTime.fromISO("2024-01-01T00:00:00Z")}','{padding: 10000}','{style: "narrow"}']:
        add(U, 'DateTime.fromISO("%s").toRelative(%s)' % (d,o))
    for o in ['','{unit: "months"}','{unit: "weeks"}']:
        add(U, 'DateTime.fromISO("%s").toRelativeCalendar(%s)' % (d,o))
# Duration
for e in ['Duration.fromObject({hours: 2}).as("minutes")','Duration.fromObject({hours: 2, minutes: 5}).toISO()','Duration.fromObject({minutes: 135}).shiftTo("hours", "minutes").toObject()',
          'Duration.fromMillis(3723000).toFormat("hh:mm:ss")','Duration.fromMillis(3723000).toFormat("h \'hrs\' m \'min\'")','Duration.fromMillis(-3723000).toFormat("hh:mm:ss")','Duration.fromMillis(90061001).toFormat("d\'d\' hh:mm:ss.SSS")',
          'Duration.fromObject({days: 1.5}).toFormat("d hh")','Duration.fromObject({days: 1.5}).toFormat("d hh", {floor: false})','Duration.fromObject({years: 1, days: 6, seconds: 2}).toFormat("y d s")','Duration.fromObject({years: 1, days: 6, seconds: 2}).toFormat("yy dd sss")',
          'Duration.fromObject({years: 1, days: 6, seconds: 2}).toFormat("M S")','Duration.fromObject({weeks: 2}).toFormat("w \'weeks\'")','Duration.fromObject({days: 1, hours: 5, minutes: 6}).toHuman()','Duration.fromObject({days: 1, hours: 5, minutes: 6}).toHuman({listStyle: "long"})',
          'Duration.fromObject({days: 1, hours: 1, minutes: 0}).toHuman()','Duration.fromObject({days: 1, hours: 5}).toHuman({unitDisplay: "short"})','Duration.fromObject({months: 1}).toHuman()',
          'Duration.fromISO("P1Y2M3DT4H5M6.789S").toObject()','Duration.fromISO("PT1.5H").toObject()','Duration.fromISO("-P1D").toObject()','Duration.fromISO("P-1DT-2H").toObject()','Duration.fromISO("P2W").toISO()','Duration.fromISO("nope").isValid','Duration.fromISO("nope").invalidExplanation',
          'Duration.fromISO("PT0S").toMillis()','Duration.fromISO("P1Y").as("days")','Duration.fromISO("P1M").as("days")','Duration.fromISO("P1Y", {conversionAccuracy: "longterm"}).as("days")','Duration.fromObject({}).toISO()',
          'Duration.fromObject({milliseconds: 1500}).toISO()','Duration.fromObject({seconds: 1.25}).toISO()','Duration.fromObject({quarters: 1, months: 1}).toISO()','Duration.fromObject({days: -1, hours: 2}).toISO()',
          'Duration.fromObject({hours: 1}).plus({minutes: 30}).toObject()','Duration.fromObject({hours: 1}).minus({minutes: 30}).toObject()','Duration.fromObject({hours: 1}).plus(1000).toObject()',
          'Duration.fromObject({hours: 1, minutes: 90}).normalize().toObject()','Duration.fromObject({hours: -1, minutes: 90}).normalize().toObject()','Duration.fromObject({years: 2.5, days: 0, seconds: 0}).normalize().toObject()',
          'Duration.fromObject({milliseconds: 123456789}).rescale().toObject()','Duration.fromObject({milliseconds: 123456789}).shiftToAll().toObject()','Duration.fromObject({hours: 1.5}).shiftTo("minutes").toObject()',
          'Duration.fromObject({minutes: 135}).shiftTo("days","hours").toObject()','Duration.fromObject({days: 400}).shiftTo("years","months","days").toObject()','Duration.fromObject({hours: 25}).shiftTo("days").days',
          'Duration.fromObject({weeks: 1}).as("hours")','Duration.fromObject({hours: 2}).hours','Duration.fromObject({hours: 2}).days','Duration.fromObject({hours: 2}).get("hours")','Duration.fromObject({hours: 2}).negate().toObject()',
          'Duration.fromObject({hours: 2, minutes: 0}).negate().toObject()','Duration.fromObject({hours: 2}).toMillis()','Duration.fromObject({hours: 2}).valueOf() > 1000','JSON.stringify({d: Duration.fromObject({hours: 2})})','String(Duration.fromObject({hours: 2}))',
          'Duration.fromObject({hours: 2}).equals(Duration.fromObject({hours: 2, minutes: 0}))','Duration.fromObject({hour: 2, Minute: 3}).toObject()','Duration.fromObject({hours: 1}).set({minutes: 5}).toObject()',
          'Duration.fromObject({hours: 1, minutes: 2}).mapUnits(x => x * 2).toObject()','Duration.fromObject({hours: 1, minutes: 2, seconds: 3}).toISOTime()','Duration.fromObject({hours: 25}).toISOTime()',
          'Duration.fromObject({days: 2, hours: 0}).removeZeros().toObject()','Duration.fromObject({fortnights: 2})','Duration.fromObject(5)','Duration.fromObject({hours: "x"})','Duration.fromObject({hours: null, minutes: 5}).toObject()',
          'Duration.isDuration(Duration.fromMillis(1))','Duration.invalid("because").toISO()','Duration.invalid("because").as("hours")','Duration.fromMillis(1).isValid','Duration.fromDurationLike({days: 1}).toISO()','Duration.fromISOTime("11:22:33.444").toObject()',
          'Duration.fromObject({months: 2, days: 45}).normalize().toObject()','Duration.fromObject({days: 1.5, hours: 0.5}).shiftTo("hours").hours','Duration.fromObject({seconds: 59.999}).shiftTo("minutes","seconds").toObject()',
          'Duration.fromObject({days: 35}).toFormat("M d")','Duration.fromObject({days: 10}).toFormat("w d")','Duration.fromMillis(123).toFormat("s.SSS")','Duration.fromMillis(1.5).toObject()','Duration.fromObject({hours: 1}).reconfigure({conversionAccuracy: "longterm"}).conversionAccuracy']:
    add(U, e)
# Interval
I='Interval.fromDateTimes(DateTime.fromISO("2024-03-15T10:30:00Z"), DateTime.fromISO("2024-04-01T00:00:00Z"))'
for e in [I+'.length()',I+'.length("days")',I+'.length("weeks")',I+'.length("months")',I+'.count("days")',I+'.count("weeks")',I+'.count("months")',I+'.count()',
          I+'.contains(DateTime.fromISO("2024-03-20"))',I+'.contains(DateTime.fromISO("2024-04-01T00:00:00Z"))',I+'.contains(DateTime.fromISO("2024-03-15T10:30:00Z"))',I+'.isAfter(DateTime.fromISO("2024-01-01"))',I+'.isBefore(DateTime.fromISO("2024-05-01"))',
          I+'.isEmpty()',I+'.hasSame("month")',I+'.hasSame("year")',I+'.toString()',I+'.toISO()',I+'.toISODate()',I+'.toFormat("yyyy-MM-dd")',I+'.toDuration("days").toObject()',I+'.toDuration(["weeks","days"]).toObject()',
          I+'.start.toISO()',I+'.end.toISO()',I+'.isValid',I+'.splitBy({weeks: 1}).length',I+'.splitBy({weeks: 1}).map(i => i.toISODate())',I+'.divideEqually(4).map(i => i.start.toISO())',
          I+'.splitAt(DateTime.fromISO("2024-03-20T00:00:00Z")).map(i => i.toISODate())',I+'.overlaps(Interval.fromDateTimes(DateTime.fromISO("2024-03-31"), DateTime.fromISO("2024-05-01")))',
          I+'.engulfs(Interval.fromDateTimes(DateTime.fromISO("2024-03-20"), DateTime.fromISO("2024-03-21")))',I+'.intersection(Interval.fromDateTimes(DateTime.fromISO("2024-03-31"), DateTime.fromISO("2024-05-01"))).toISO()',
          I+'.union(Interval.fromDateTimes(DateTime.fromISO("2024-03-31"), DateTime.fromISO("2024-05-01"))).toISO()',I+'.set({end: DateTime.fromISO("2024-03-20T00:00:00Z")}).toISO()',
          'Interval.fromDateTimes(DateTime.fromISO("2024-04-01"), DateTime.fromISO("2024-03-01")).isValid','Interval.fromDateTimes(DateTime.fromISO("2024-04-01"), DateTime.fromISO("2024-03-01")).invalidReason',
          'Interval.fromDateTimes(DateTime.fromISO("2024-04-01"), DateTime.fromISO("2024-03-01")).invalidExplanation','Interval.fromDateTimes(DateTime.fromISO("x"), DateTime.fromISO("2024-03-01")).invalidReason',
          'Interval.fromDateTimes(DateTime.fromISO("2024-04-01"), DateTime.fromISO("2024-03-01")).length()','Interval.fromDateTimes(DateTime.fromISO("2024-04-01"), DateTime.fromISO("2024-03-01")).toString()',
          'Interval.after(DateTime.fromISO("2024-03-15T00:00:00Z"), {days: 2}).toISO()','Interval.before(DateTime.fromISO("2024-03-15T00:00:00Z"), {hours: 5}).toISO()',
          'Interval.fromISO("2024-03-15T00:00:00Z/2024-03-20T00:00:00Z").length("days")','Interval.fromISO("2024-03-15T00:00:00Z/P1W").toISO()','Interval.fromISO("P1D/2024-03-15T00:00:00Z").toISO()','Interval.fromISO("nope").isValid',
          'Interval.isInterval('+I+')','Interval.fromDateTimes(new Date(Date.UTC(2024,0,1)), {year: 2024, month: 2}).toISO()','Interval.fromDateTimes(DateTime.fromISO("2024-03-01"), DateTime.fromISO("2024-03-01")).isEmpty()']:
    add(U, e)
# n8n extensions
D='DateTime.fromISO("2024-03-15T10:30:00Z")'
for e in ['beginningOf()','beginningOf("month")','beginningOf("year")','beginningOf("days")','beginningOf("hour")','beginningOf("quarter")','beginningOf("mins")','endOfMonth()',
          'extract()','extract("year")','extract("month")','extract("week")','extract("day")','extract("hour")','extract("minute")','extract("second")','extract("millisecond")','extract("weekNumber")','extract("yearDayNumber")','extract("weekday")','extract("quarter")','extract("days")','extract("nope")',
          'format("yyyy/LL/dd HH:mm:ss")','format("dd LLL yy")',"format(\"HH 'hours and' mm 'minutes'\")",'isBetween("2024-01-01", "2024-06-30")','isBetween("2024-06-30", "2024-01-01")','isBetween("2024-03-15T10:30:00Z", "2024-06-30")',
          'isBetween(DateTime.fromISO("2024-01-01"), DateTime.fromISO("2024-12-01"))','isBetween("nope", "2024-06-30")','isBetween("2020", "2025")','isDst()','isWeekend()','isInLast(10, "days")','isInLast(100, "days")','isInLast()',
          'minus(7, "days").toISO()','minus(4, "years").toISO()','plus(7, "days").toISO()','plus(4, "years").toISO()','plus(1, "hr").toISO()','plus(30, "sec").toISO()','plus(2, "mins").toISO()','plus(2).toISO()','plus(2, "weeks").toISO()','plus(1, "quarters").toISO()','plus({years: 1, days: -1}).toISODate()',
          'diffTo("2024-04-01T00:00:00Z", "days")','diffTo("2024-04-01T00:00:00Z")','diffTo("2024-04-01T00:00:00Z", ["months", "days"])','diffTo("2024-04-01T00:00:00Z", "hours")','diffTo(DateTime.fromISO("2025-01-01"), "years")','diffTo("2024-04-01T00:00:00Z", [])',
          'diffTo("2024-04-01T00:00:00Z", "fortnights")','diffTo("2024-04-01T00:00:00Z", "weekNumber")','diffToNow("days")','diffToNow(["months", "days"])','diffToNow()','toInt()','toFloat()','toBoolean()','isEmpty()','isNotEmpty()','toDateTime().toISO()']:
    add(U, D+'.'+e)
for s in ['"2024-03-15T10:30:00Z"','"2024-03-15"','"2024-03-15T10:30:00+02:00"','"2024-03-15 10:30:00"','"Fri, 15 Mar 2024 10:30:00 GMT"','"Fri, 15 Mar 2024 10:30:00 +0100"','"2024/03/15"','"March 15, 2024"','"garbage"','"1710498600000"','"  2024-03-15  "','"2024-03-15T10:30:00.000Z"']:
    add(U, '%s.toDateTime().toISO()' % s)
add(U, '"15/03/2024".toDateTime("dd/MM/yyyy").toISO()', '"nope".toDateTime("dd/MM/yyyy").isValid', '"1710498600".toDateTime("s").toISO()', '"1710498600000000".toDateTime("us").toISO()',
 '(1710498600).toDateTime("s").toISO()', '(1710498600000).toDateTime().toISO()', '(1710498600000).toDateTime("ms").toISO()', '(45366.4375).toDateTime("excel").toISO()', '(1).toDateTime("days")',
 '"2024-03-15".toDateTime().plus(1, "day").toISODate()')
# default zone variants
for tz in ["America/New_York","Europe/Berlin","Asia/Kolkata"]:
    add(tz, 'DateTime.now().toISO()', 'DateTime.fromISO("2024-03-15T10:30:00Z").toISO()', 'DateTime.fromISO("2024-03-15T10:30:00").toISO()', 'DateTime.fromISO("2024-03-15").toISO()',
        'DateTime.local(2024, 7, 1).toISO()', 'DateTime.utc(2024, 7, 1).toISO()', 'DateTime.fromMillis(0).toISO()', 'DateTime.fromSQL("2024-03-15 10:30").toISO()', 'DateTime.fromFormat("2024-03-15", "yyyy-MM-dd").toISO()',
        'DateTime.fromISO("2024-03-15T10:30:00Z").toLocal().toISO()', 'DateTime.fromISO("2024-03-15T10:30:00Z").setZone("local").toISO()', 'DateTime.fromISO("2024-03-15T10:30:00Z").zoneName',
        'DateTime.fromISO("2024-03-15T10:30:00Z").toFormat("ZZZZ ZZZZZ z")', 'DateTime.fromISO("2024-03-15T10:30:00Z").toLocaleString(DateTime.DATETIME_FULL)', '"2024-03-15".toDateTime().toISO()',
        '"2024-03-15T10:30:00Z".toDateTime().toISO()', '"2024-03-15 10:30".toDateTime().toISO()', 'DateTime.fromISO("2024-03-15T23:30:00").endOfMonth().toISO()',
        'DateTime.fromISO("2024-03-15T10:30:00Z").isDst()', 'DateTime.fromISO("2024-07-15T10:30:00Z").isDst()', 'DateTime.fromISO("2024-03-15T10:30:00Z").hasSame(DateTime.fromISO("2024-03-15T23:30:00Z"), "day")',
        'DateTime.fromObject({year: 2024, month: 3}).toISO()', '(1710498600).toDateTime("s").toISO()', 'DateTime.now().startOf("day").toISO()')
# n8n date extensions on JS Date receivers
J='new Date("2024-03-15T10:30:00Z")'
for e in ['plus(1, "day")','minus(2, "hours")','plus({months: 1})','beginningOf("month")','beginningOf()','endOfMonth()','format("yyyy-LL-dd HH:mm")','extract("month")','extract()','extract("yearDayNumber")',
          'isWeekend()','isDst()','isBetween("2024-01-01", "2024-12-31")','toDateTime().toISO()','toInt()','toFloat()','isInLast(300, "days")','isEmpty()','isNotEmpty()']:
    add(U, J+'.'+e)
    add("Europe/Berlin", J+'.'+e)
# JSON of an Interval (no toJSON in 3.4.4) and non-string parser input
add(U, 'JSON.stringify(Interval.fromDateTimes(DateTime.fromISO("2024-03-15T10:30:00Z"), DateTime.fromISO("2024-04-01T00:00:00Z")))',
 'JSON.stringify(Interval.fromDateTimes(DateTime.fromISO("2024-04-15T10:30:00Z"), DateTime.fromISO("2024-04-01T00:00:00Z")))',
 'DateTime.fromISO(12).toISO()', 'DateTime.fromISO(null).invalidExplanation', 'DateTime.fromISO(20240315).toISO()', 'DateTime.fromSQL(undefined).invalidExplanation')
json.dump(C, open('cases.json','w'))
print(len(C))
