# The patient portal. Reading level B1: short sentences, everyday words, polite "you".
practice-app-name = بيئة عمل العيادة
app-name = ملفي لدى طبيب العائلة
skip-to-content = الانتقال مباشرة إلى المحتوى
footer-text = تعرض هذه البوابة ما سجّله طبيب عائلتك عنك. هل هناك خطأ؟ اطلب من طبيب عائلتك تصحيحه.
footer-text-other = تعرض هذه البوابة ما سجّله طبيب العائلة عن { $name }. هل هناك خطأ؟ اطلب من طبيب العائلة تصحيحه.
language = اللغة
language-choose = اختر اللغة
logout = تسجيل الخروج
record-of = الملف الطبي لـ
born = تاريخ الميلاد
you-view-as = أنت تطّلع بصفتك
banner-other = أنت تطّلع على ملف { $name } الطبي
banner-as = أنت تطّلع بصفتك { $what }.
banner-until = يمكنك ذلك حتى نهاية يوم { $date }.
switch-record = اختيار ملف طبي آخر
nav-label = أقسام الملف الطبي
nav-group-record = ملفي الطبي
nav-group-ask = اسأل العيادة
nav-group-settings = الإعدادات والخصوصية
nav-menu = القائمة
nav-result-timing = متى ترى النتائج
timing-intro = تصل نتائج المختبر أولًا إلى طبيب عائلتك. ينظر طبيب عائلتك فيها ثم يجعلها جاهزة لك. إذا لم ينظر فيها طبيب عائلتك بعد مرور { $count ->
    [zero] { $count } يوم
    [one] يوم واحد
    [two] يومين
    [few] { $count } أيام
    [many] { $count } يومًا
   *[other] { $count } يوم
}، فسترى النتيجة تلقائيًا.
timing-question = متى تريد أن ترى نتائجك؟
timing-after-gp = عندما ينظر فيها طبيب عائلتي
timing-after-gp-hint = ترى النتيجة عندما ينظر فيها طبيب عائلتك، وإلا فبعد { $count ->
    [zero] { $count } يوم
    [one] يوم واحد
    [two] يومين
    [few] { $count } أيام
    [many] { $count } يومًا
   *[other] { $count } يوم
}. حتى ذلك الوقت ترى أن نتيجة قد وصلت، ومن أي تاريخ يمكنك رؤيتها.
timing-direct = فور وصول النتيجة
timing-direct-hint = قد ترى النتيجة قبل أن ينظر فيها طبيب عائلتك. النتيجة خارج القيم الطبيعية ليست بالضرورة أمرًا سيئًا. هل تقلقك نتيجة؟ اتصل بالعيادة.
timing-save = حفظ الاختيار
timing-saved = تم حفظ اختيارك.
timing-not-offered = تعرض عيادتك نتائجك عندما ينظر فيها طبيب عائلتك. لا يمكنك هنا اختيار وقت آخر.
leaflet-warning-title = معلوماتك الطبية ملك لك
leaflet-warning = أحيانًا تطلب شركات أو جهات معلوماتك الطبية، مثل جهة عملك أو شركة التأمين أو البلدية. لست ملزمًا أبدًا بتقديمها. ناقش الأمر أولًا مع طبيب عائلتك.
why-not-all-title = لماذا لا يظهر كل شيء على الإنترنت؟
why-not-all = لا يظهر كل ما في ملفك الطبي على الإنترنت. مثلًا الملاحظات عمّا قلته وما رآه طبيب العائلة عند الفحص، والنتائج التي يريد طبيب عائلتك أن يناقشها معك أولًا، والمعلومات عن أشخاص آخرين. هل تريد أن ترى كل شيء؟ اطلب أدناه نسخة كاملة، أو اطّلع على ملفك الطبي مع طبيب عائلتك.
why-not-all-together = احجز موعدًا للاطلاع على ملفك الطبي مع طبيب عائلتك
nav-overview = نظرة عامة
nav-episodes = الأمراض والشكاوى الصحية
nav-medication = الأدوية
nav-allergies = الحساسية والتحذيرات
nav-results = النتائج
nav-letters = الرسائل الطبية
nav-details = بياناتي
nav-details-other = بيانات { $name }
nav-log = من اطّلع على ملفي الطبي
nav-log-other = من اطّلع على ملف { $name } الطبي
new-mark = جديد
none-recorded = لا يوجد شيء عن هذا في ملفك الطبي.
none-recorded-other = لا يوجد شيء عن هذا في ملف { $name } الطبي.
date = التاريخ
since = منذ
explain-this = ماذا يعني هذا؟
explain-words = شرح الكلمات والاختصارات
age-years = { $age ->
    [zero] أقل من سنة
    [one] سنة واحدة
    [two] سنتان
    [few] { $age } سنوات
   *[other] { $age } سنة
}

start-title = ملفك لدى طبيب العائلة على الإنترنت
start-intro = هنا تقرأ ما كتبه طبيب عائلتك عن صحتك. تسجّل الدخول باسم المستخدم وكلمة المرور ورمز إضافي. هكذا نتأكد أنك أنت.
login-button = تسجيل الدخول
demo-title = حسابات تجريبية (في النسخة التجريبية فقط)
demo-intro = هذه النسخة التجريبية فيها أشخاص غير حقيقيين فقط. سجّل الدخول بأحد هذه الحسابات. تجد رمز الخطوة الثانية في تطبيق لرموز الدخول باستخدام المفتاح السري أدناه، أو اطلب رمزًا برسالة نصية (SMS): سيظهر الرمز عندها في سجل الخادم.
demo-caption = حسابات تجريبية
demo-staff-title = حسابات تجريبية للعيادة
demo-who = من
demo-totp = مفتاح تطبيق الرموز

login-title = تسجيل الدخول
login-intro = الخطوة 1 من 2: أدخل اسم المستخدم وكلمة المرور.
login-username = اسم المستخدم
login-password = كلمة المرور
login-with = تسجيل الدخول باستخدام { $name }
login-oidc-failed = لم ينجح تسجيل الدخول. حاول مرة أخرى. إذا لم ينجح مرة أخرى، تواصل مع العيادة.
login-next = الخطوة التالية
login-no-account = ليس لديك حساب دخول بعد؟ يمكنك إنشاؤه بنفسك برمز التفعيل الذي حصلت عليه من العيادة.
login-activate = تفعيل حساب الدخول
login-lost = هل فقدت هاتفك أو كلمة المرور؟ اطلب من العيادة رمز تفعيل جديدًا. به تعيد إعداد حساب دخولك على هاتف جديد.
login-wrong = اسم المستخدم أو كلمة المرور غير صحيح. حاول مرة أخرى.
login-locked = لقد حاولت مرات كثيرة جدًا. انتظر 15 دقيقة ثم حاول مرة أخرى.
login-code-wrong = هذا الرمز غير صحيح أو استُخدم من قبل. حاول مرة أخرى برمز جديد.
code-title = تحقّق إضافي
code-intro = الخطوة 2 من 2: أدخل الرمز المكوّن من 6 أرقام. تجد الرمز في تطبيق رموز الدخول لديك.
code-label = رمز من 6 أرقام
code-submit = تسجيل الدخول
code-sms-button = أرسل لي رمزًا برسالة نصية (SMS)
code-sms-sent = أرسلنا إليك رمزًا برسالة نصية. الرمز صالح لمدة 5 دقائق.

choose-title = أي ملف طبي تريد أن تطّلع عليه؟
choose-greeting = أهلًا بك، { $name }. اختر الملف الطبي الذي تريد فتحه.
choose-none = لا يوجد ملف طبي يمكنك الاطلاع عليه عبر الإنترنت. تواصل مع عيادة طبيب العائلة إذا كنت تعتقد أن هذا غير صحيح.
choose-open = افتح ملف { $name } الطبي
relation-as = أنت تطّلع بصفتك { $what }
relation-as-until = أنت تطّلع بصفتك { $what }، حتى نهاية يوم { $date }
relation-self = ملفك الطبي أنت
basis-parent = أحد الوالدين صاحب السلطة الأبوية
basis-guardian = وصيّ
basis-curator = قيّم قانوني (curator)
basis-mentor = مرشد قانوني (mentor)
basis-authorised = شخص مفوَّض
denied-no-relation = ليست لديك صلاحية الوصول إلى هذا الملف الطبي.
denied-no-consent = لم تسجّل عيادة طبيب العائلة بعد أنه يُسمح بالاطلاع على هذا الملف الطبي عبر الإنترنت. اسأل العيادة عن ذلك.
denied-under-12 = لا يستطيع الأطفال دون سن 12 الاطلاع على ملفهم الطبي عبر الإنترنت.
denied-under-16 = هذه العيادة لا تتيح بعد الاطلاع عبر الإنترنت للأطفال دون سن 16.
denied-not-yet = صلاحية وصولك تبدأ لاحقًا. حاول مرة أخرى عندها.
denied-expired = انتهت صلاحية وصولك. اطلب من العيادة تمديدها.
denied-revoked = تم إيقاف صلاحية وصولك.
denied-evidence = ما زال على العيادة أن تتحقّق من صلاحية وصولك. تواصل مع العيادة.
denied-child-consent = يجب أن يوافق طفلك أولًا. يمكن ذلك لدى عيادة طبيب العائلة.
denied-child-withdrew = سحب طفلك موافقته.
denied-sixteen = عمر طفلك 16 سنة أو أكثر. ابتداءً من سن 16 يقرّر طفلك بنفسه من يطّلع على ملفه.
denied-no-end-date = التفويض ليس له تاريخ انتهاء. اطلب من العيادة تسجيل تاريخ انتهاء.
denied-age = هذا النوع من الوصول لا يناسب عمر المريض.

overview-since = علامة «جديد» تُظهر لك ما أُضيف منذ زيارتك السابقة في { $date }.
attention-title = لك
attention-none = لا يوجد شيء جديد لك.
attention-answer = يوجد رد على سؤالك «{ $title }».
attention-appointment = موعدك القادم: { $date } عند { $name }.
attention-prescription = تجديد وصفة { $name }: { $what }.
attention-results = { $count ->
    [zero] لا توجد نتائج جديدة.
    [one] توجد نتيجة جديدة واحدة.
    [two] توجد نتيجتان جديدتان.
    [few] توجد { $count } نتائج جديدة.
    [many] توجد { $count } نتيجة جديدة.
   *[other] توجد { $count } نتيجة جديدة.
}
overview-current-problems = ما يحدث الآن
overview-past-problems = أمراض مهمة في الماضي
overview-latest-results = أحدث النتائج
overview-new-letters = رسائل طبية جديدة
overview-no-new-letters = لا توجد رسائل طبية جديدة.
more-medication = كل الأدوية
more-results = كل النتائج
more-letters = كل الرسائل الطبية

episodes-list = كل الأمراض والشكاوى الصحية
episodes-intro = هنا تجد الأمراض والشكاوى الصحية التي سجّلها طبيب عائلتك، مع ما اتُّفق عليه والنصائح المتعلقة بها.
episodes-intro-other = هنا تجد الأمراض والشكاوى الصحية الخاصة بـ { $name } التي سجّلها طبيب العائلة، مع ما اتُّفق عليه والنصائح المتعلقة بها.
episode-current = ما زال مستمرًا
episode-important = من المهم تذكّره
episode-lines = الاتفاقات والنصائح
episodes-other-lines = اتفاقات ونصائح أخرى
sort-by = الترتيب حسب التاريخ:
sort-newest = الأحدث أولًا
sort-oldest = الأقدم أولًا
period-since = منذ { $from }
period-until = حتى { $to }
period-from-to = من { $from } حتى { $to }
soep-e = استنتاج طبيب العائلة
soep-p = الاتفاقات والنصائح
soep-other = ملاحظة

medication-current = الأدوية التي تستخدمها الآن
medication-current-other = أدوية { $name } الحالية
medication-past = أدوية سابقة
medication-dosage = طريقة الاستخدام
medication-period = متى
medication-purpose = الغرض منه
medication-prescriber = الطبيب الذي وصفه

allergies-title = الحساسية وعدم التحمّل
allergy-kind = النوع
allergy-status = الوضع الحالي
allergy-criticality = مدى الخطورة
allergy-reaction = ما الذي حدث
allergy-medication = دواء
allergy-food = طعام
allergy-environment = البيئة المحيطة
allergy-biologic = بيولوجي
criticality-low = غير خطير
criticality-high = خطير
criticality-unknown = غير معروف
status-active = ما زال ساريًا
status-inactive = لم يعد ساريًا
status-resolved = انتهى
contra-title = تحذيرات بشأن الأدوية
contra-intro = في هذه الحالات يجب أن تنتبه صيدليتك أو طبيبك انتباهًا إضافيًا مع بعض الأدوية.

results-intro = هنا تجد نتائج فحوصاتك من المختبر والقياسات التي أُجريت في العيادة. ترى أيضًا ما هو طبيعي. النتيجة خارج القيم الطبيعية ليست بالضرورة أمرًا سيئًا: طبيب عائلتك ينظر فيها.
results-intro-other = هنا تجد نتائج { $name }: من المختبر والقياسات في العيادة. ترى أيضًا ما هو طبيعي. النتيجة خارج القيم الطبيعية ليست بالضرورة أمرًا سيئًا: طبيب العائلة ينظر فيها.
results-tests = الفحوصات في هذه الصفحة
results-table = نتائج { $name }
result-test = الفحص
result-value = النتيجة
result-range = الطبيعي
result-position = مقارنةً بالطبيعي
result-high = ↑ أعلى من الطبيعي
result-low = ↓ أقل من الطبيعي
result-normal = طبيعي
result-gp-comment = يكتب طبيب عائلتك:
held-a-result = نتيجة
held-result = وصل إلينا { $name }. سينظر طبيب عائلتك في النتيجة أولًا. يمكنك رؤية النتيجة ابتداءً من { $date }.
chart-caption = المساحة الملوّنة تُظهر ما هو طبيعي. القيم نفسها موجودة في الجدول أدناه.
chart-caption-no-range = القيم نفسها موجودة في الجدول أدناه.
chart-description = رسم بياني لـ { $name }: عدد النتائج { $count }، من { $from } حتى { $to }. القيم موجودة في الجدول.
bp-name = ضغط الدم
bp-home-name = ضغط الدم (قِيس في المنزل)
bp-explain = ضغط دمك رقمان. الرقم الأول هو الضغط العلوي: الضغط عندما ينقبض قلبك. الرقم الثاني هو الضغط السفلي: الضغط عندما يرتخي قلبك. 133/92 يعني: الضغط العلوي 133 والضغط السفلي 92.
chart-legend-pressure = الخط المتصل هو الضغط العلوي، والخط المنقّط هو الضغط السفلي.

letters-intro = هنا تجد الرسائل الطبية من مقدّمي الرعاية الآخرين وإليهم، مثل المستشفى.
letter-title = الموضوع
letter-kind = نوع الرسالة
letter-author = من
letter-document = المستند
letter-download = تنزيل { $title } (PDF)
letter-not-digital = غير متاح عبر الإنترنت
letter-specialist = رسالة من طبيب أخصائي
letter-discharge = رسالة الخروج من المستشفى
letter-radiology = نتيجة صورة أشعة أو فحص تصويري
letter-referral = رسالة تحويل
letter-other = رسالة أخرى
letter-incoming = مستلمة
letter-outgoing = مرسلة

details-person = عنك
details-name = الاسم
details-birth = تاريخ الميلاد
details-gender = الجنس
details-address = العنوان
details-phone = الهاتف
details-email = البريد الإلكتروني
details-practice = عيادة طبيب عائلتك
details-practice-name = العيادة
details-gp = طبيب العائلة
details-wrong = هل هناك خطأ؟ أبلغ عيادة طبيب عائلتك.
gender-female = أنثى
gender-male = ذكر
gender-other = آخر
gender-unknown = غير معروف

log-intro = هنا ترى من اطّلع على ملفك الطبي أو غيّره، ومتى. زياراتك أنت موجودة هنا أيضًا.
log-intro-other = هنا ترى من اطّلع على ملف { $name } الطبي أو غيّره، ومتى. زياراتك أنت موجودة هنا أيضًا.
log-when = متى
log-who = من
log-what = ماذا
log-channel = عبر
log-period = الفترة
log-filter = عرض
log-filter-clear = عرض كل شيء
log-none = لم يُعثر على شيء لهذا الاختيار.
log-who-all = الجميع
log-who-me = أنا
log-who-practice = العيادة
log-who-apps = التطبيقات (PGO)
log-who-others = آخرون على هذا الموقع (المريض، الوالدان، الممثّلون)
log-period-all = الكل
log-period-month = الشهر الماضي
log-period-year = آخر 12 شهرًا
log-what-visit = تم الاطلاع على: { $what }
log-what-record = الملف الطبي
log-what-review = تم تقييم نتيجة
log-what-search-hit = الاسم وتاريخ الميلاد في نتيجة بحث
log-what-preview = ما تراه على الإنترنت (معاينة)
log-what-access = الوصول والموافقة
log-what-app = جلبه تطبيق: { $what }
log-data-patient = بياناتك الشخصية
log-data-observations = النتائج والقياسات
log-data-contacts = الاستشارات والتقارير
log-data-other = بيانات أخرى
who-you = أنت
who-patient = المريض
who-representative = { $name } (ممثّل)
who-representative-unknown = ممثّل
who-staff = موظف في العيادة ({ $role })
who-pgo = تطبيق (PGO) بموافقتك: { $name }
who-system = العيادة (النظام)
event-create = تم تسجيل بيانات
event-read = تم الاطلاع على الملف الطبي
event-update = تم تغيير بيانات
event-delete = تم حذف بيانات
event-export = تم إنشاء نسخة أو تنزيلها
event-transfer = تم استلام بيانات أو إرسالها
event-search = تم البحث
event-emergency = تم الاطلاع في حالة طارئة
event-visibility = تم تغيير ما يظهر
channel-portal = هذه البوابة
channel-practice = العيادة
channel-medmij = تطبيق صحي (PGO)
channel-system = العيادة (النظام)

security-title = الأمان
security-intro = يمكنك تسجيل الدخول بمفتاح مرور (passkey) بدلًا من الرمز. مفتاح المرور موجود على هاتفك أو حاسوبك، ويعمل ببصمة إصبعك أو وجهك أو رقمك السري (PIN).
security-count = عدد مفاتيح المرور: { $count }
security-external = تسجّل الدخول بوسيلة الدخول الخاصة بك، مثل DigiD. تُدير أمانها هناك.
security-passkeys-off = هذه العيادة لا تتيح مفاتيح المرور بعد.
security-back = العودة إلى ملفاتك الطبية
passkey-add = إضافة مفتاح مرور
passkey-login = تسجيل الدخول بمفتاح المرور
passkey-failed = لم ينجح ذلك. حاول مرة أخرى أو استخدم الرمز.
passkey-needs-js = لاستخدام مفتاح المرور يجب تشغيل JavaScript في متصفحك.

practice-nav = العيادة
practice-login-title = تسجيل الدخول للعيادة
practice-search = البحث عن مريض
practice-search-button = بحث
practice-family-name = اسم العائلة (بدايته)
practice-found = عدد النتائج: { $count }
practice-bad-date = أدخل تاريخ الميلاد بصيغة يوم-شهر-سنة.
practice-bad-bsn = رقم BSN هذا غير صحيح (elfproef).
practice-no-login = ليس لدى المريض رقم BSN، ولا يستطيع تسجيل الدخول عبر الإنترنت.
practice-journal = السجل اليومي (journaal)
practice-contact = الاستشارة
practice-work-notes = ملاحظات العمل الشخصية (لا يراها المريض أبدًا)
practice-kind = النوع
practice-content = المحتوى
practice-online = متاح للمريض عبر الإنترنت
practice-visible = ظاهر
practice-hidden = غير ظاهر
practice-preview = ماذا يرى المريض؟
practice-preview-as = العرض بصفة
practice-preview-show = عرض
practice-preview-denied = لا يستطيع هذا الشخص الآن فتح الملف الطبي عبر الإنترنت:
practice-preview-seen = ظاهر عبر الإنترنت
practice-preview-left-out = غير ظاهر، مع السبب
practice-the-patient = المريض نفسه
practice-bsn-end = ينتهي رقم BSN بـ { $what }
access-results-immediately = يريد المريض رؤية النتائج فورًا، حتى قبل أن ينظر فيها طبيب العائلة
practice-actions = إجراءات
practice-done-shielded = تم الحجب. لم يعد ظاهرًا عبر الإنترنت.
practice-done-unshielded = تم رفع الحجب.
practice-queue = نتائج تنتظر التقييم
practice-queue-intro = وصلت هذه النتائج ولم تُقيَّم بعد. إذا لم يُتخذ قرار، تصبح ظاهرة للمريض بعد المدة المحددة.
practice-queue-empty = لا توجد نتائج تنتظر.
practice-received = تاريخ الاستلام
practice-release = إتاحتها الآن
practice-withhold = حجز النتيجة
practice-withhold-reason = سبب الحجز
practice-queue-abnormal-first = النتائج غير الطبيعية أولًا
practice-queue-by-arrival = حسب ترتيب الوصول
practice-previous-label = المرة السابقة
practice-previous = { $what } في { $date }
practice-previous-trend = { $what } في { $date }، { $title }
practice-trend-up = أعلى الآن
practice-trend-down = أقل الآن
practice-trend-same = لم تتغيّر
practice-visible-label = ظاهر للمريض
practice-visible-now = الآن (انتهت المدة أو اختار المريض الرؤية الفورية)
practice-visible-from = تلقائيًا في { $date }، إذا لم تتخذ قرارًا
practice-comment = توضيح للمريض (اختياري، يظهر مع النتيجة)
practice-shield = حجب
practice-unshield = رفع الحجب
practice-shield-reason = السبب
practice-shield-text = توضيح
shield-not-discussed = لم تتم مناقشته بعد
shield-third-party = خصوصية شخص آخر
shield-harmful = قد يضر دون شرح
shield-other = سبب آخر
settings-title = إعدادات الاطلاع عبر الإنترنت
settings-intro = تحدّد هذه الإعدادات ما يراه المرضى عبر الإنترنت، وفقًا لإرشادات NHG.
settings-saved = تم حفظ الإعدادات. تسري فورًا.
settings-invalid = لم يتم الحفظ: أدخل تواريخ وأعدادًا صحيحة.
settings-journal-from = أسطر السجل اليومي متاحة عبر الإنترنت ابتداءً من
settings-letters-from = الرسائل الطبية متاحة عبر الإنترنت ابتداءً من
settings-results-months = النتائج متاحة عبر الإنترنت من آخر (أشهر)
settings-delay-days = نتائج المختبر تظهر بعد (أيام)، ما لم تُتَح قبل ذلك
settings-patient-chooses = يمكن للمرضى اختيار رؤية النتائج دون انتظار
settings-name-held = إظهار اسم الفحص عند وجود نتيجة تنتظر
settings-under-16 = الاطلاع عبر الإنترنت للمرضى دون سن 16 (ولوالديهم)
settings-save = حفظ
practice-role = الدور
practice-back-to-record = العودة إلى الملف الطبي

weekday-1 = الاثنين
weekday-2 = الثلاثاء
weekday-3 = الأربعاء
weekday-4 = الخميس
weekday-5 = الجمعة
weekday-6 = السبت
weekday-7 = الأحد
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر

## Kinds of measurement a person takes themselves (data service 52)
vital-blood-pressure = ضغط الدم
vital-body-weight = الوزن
vital-body-height = الطول
vital-body-temperature = درجة الحرارة
vital-blood-glucose = سكر الدم
vital-heart-rate = نبض القلب
vital-oxygen-saturation = الأكسجين في الدم
vital-pain-score = درجة الألم
preview-banner = معاينة للعيادة: هكذا يرى { $name } هذه الصفحة. الأزرار والنماذج لا تفعل شيئًا هنا.
preview-back = العودة إلى «ماذا يرى المريض؟»
practice-preview-pages = عرض الصفحات كما يراها هذا الشخص

## Sharing with other providers (issue 20)
nav-sharing = المشاركة مع مقدّمي رعاية آخرين
sharing-intro = أحيانًا يحتاج طبيب آخر إلى بياناتك. مثلًا مركز الطبيب العام خارج أوقات العمل في المساء أو في عطلة نهاية الأسبوع، عندما تكون عيادة طبيبك مغلقة. هنا تختار من يمكنه رؤية بياناتك. يمكنك دائمًا تغيير اختيارك.
sharing-no-wins = هل تقول لا؟ عندها لا يرى مقدّم الرعاية هذا بياناتك، ولا حتى في حالة طارئة. يسري ذلك فورًا.
sharing-see-only = يمكنك رؤية هذه الاختيارات، لكن لا يمكنك تغييرها. المريض نفسه يختار.
sharing-refuse-only = يمكنك أن تقول لا هنا. تقولان نعم معًا، في العيادة.
sharing-question-huisartsenpost = هل يمكن لطبيب آخر رؤية بياناتك إذا احتجت إلى رعاية عاجلة؟
sharing-hint-huisartsenpost = مثلًا مركز الطبيب العام خارج أوقات العمل، أو طبيب عام يعمل بدلًا من طبيبك. يرى هذا الطبيب عندها أهم بياناتك: شكاواك وأمراضك، وزياراتك في آخر 4 أشهر، وأدويتك وحساسياتك.
sharing-question-ambulance = هل يمكن للإسعاف رؤية بياناتك إذا احتجت إلى رعاية عاجلة؟
sharing-hint-ambulance = يرى الإسعاف عندها البيانات نفسها التي يراها مركز الطبيب العام خارج أوقات العمل.
sharing-question-ziekenhuis = هل يمكن للمستشفى أو لطبيب مختص رؤية بياناتك؟
sharing-hint-ziekenhuis = مثلًا عندما تذهب إلى قسم الطوارئ. يرى المستشفى عندها البيانات نفسها التي يراها مركز الطبيب العام خارج أوقات العمل.
sharing-question-apotheek = هل يمكن لصيدلية أخرى رؤية الأدوية التي تستعملها؟
sharing-hint-apotheek = مثلًا صيدلية في العطلة أو في الليل. ترى عندها أدويتك وحساسياتك.
sharing-now-not-asked = الآن: لم تختر بعد. لا تتم مشاركة أي شيء، إلا في حالة طارئة.
sharing-now-yes = الآن: نعم (منذ { $date })
sharing-now-no = الآن: لا (منذ { $date })
sharing-yes = نعم، مسموح
sharing-no = لا، غير مسموح
sharing-save = حفظ الاختيار
sharing-saved = تم حفظ اختيارك. يسري فورًا.
sharing-log-hint = ترى في السجل من اطّلع على بياناتك.
log-who-providers = مقدّمو رعاية آخرون
log-what-sharing-choice = تم تغيير الاختيار بشأن المشاركة مع مقدّمي رعاية آخرين
log-what-sharing-exclusion = بيانات أُعطيت أو لم تُعطَ لمقدّمي رعاية آخرين
log-what-exchange = اطّلع على بياناتك: { $what }
log-what-exchange-emergency = اطّلع على بياناتك في حالة طارئة: { $what }. لم تكن قد اخترت بشأن ذلك بعد. عيادتك تراجع هذا.
log-what-exchange-refused = أراد رؤية بياناتك ({ $what }). لم تتم مشاركتها.
log-data-summary = ملخّص لطبيب آخر
log-data-medication = الأدوية والحساسيات
channel-exchange = مقدّم رعاية آخر
sharing-block-title = عدم مشاركة شيء ما
sharing-block-intro = هل تريد ألّا تذهب شكوى أو رسالة أو نتيجة معيّنة إلى مقدّم رعاية آخر؟ مثلًا ليس إلى المستشفى. اطلب ذلك هنا. ينظر طبيبك في الطلب ويخبرك بما سيحدث.
sharing-block-item = ما الذي لا تريد مشاركته
sharing-block-to = مع من لا تريد المشاركة
sharing-block-why = هل تريد أن تشرح شيئًا؟ (يمكن تركه فارغًا)
sharing-block-send = إرسال الطلب
sharing-block-sent = تم إرسال طلبك. طبيبك ينظر فيه.
sharing-block-mine = طلباتك لعدم مشاركة شيء ما
sharing-block-asked = تاريخ الطلب
sharing-block-answer = الرد
sharing-block-requested = طبيبك ينظر في الطلب
sharing-block-agreed = تم الاتفاق: لن تتم مشاركة هذا
sharing-block-discuss = يريد طبيبك أن يناقش هذا معك أولًا
sharing-block-item-gone = (لم يعد في ملفك)
sharing-block-choose = اختر ما لا تريد مشاركته، ومع من.
sharing-block-too-long = شرحك طويل جدًا. استعمل أقل من 500 حرف.
sharing-block-waiting = لقد طلبت هذا من قبل. طبيبك ينظر فيه.
log-what-block-request = طلب عدم مشاركة شيء ما
