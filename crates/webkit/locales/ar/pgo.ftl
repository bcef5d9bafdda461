# The PGO: a person's own health environment (issue 19). B1 language.
pgo-title = بيئتي الصحية
pgo-intro = هنا تجمع بياناتك الصحية من طبيب عائلتك ومن مقدّمي الرعاية الآخرين في مكان واحد. أنت تقرّر بنفسك أي مقدّمي رعاية تربطهم. أنت وحدك تستطيع رؤية بياناتك.
pgo-welcome = أهلًا بك، { $name }.
pgo-login = تسجيل الدخول
pgo-nav = قائمة بيئتك الصحية
pgo-nav-home = اتصالاتي
pgo-nav-data = بياناتي
pgo-nav-providers = إضافة مقدّم رعاية
pgo-nav-log = ماذا حدث
pgo-signup-title = أنشئ بيئتك الصحية
pgo-signup-point-1 = تجلب بياناتك من مقدّمي الرعاية المنضمّين إلى MedMij.
pgo-signup-point-2 = تُحفظ بياناتك مشفّرة. نحن لا ننظر فيها ولا نعطيها لأي أحد.
pgo-signup-point-3 = يمكنك حذف كل شيء دفعة واحدة في أي وقت.
pgo-signup-agree = قرأت هذا وأريد بيئة صحية.
pgo-signup-button = إنشاء
pgo-connections = مقدّمو الرعاية لديك
pgo-no-connections = لم تربط أي مقدّم رعاية بعد. اختر «إضافة مقدّم رعاية» للبدء.
pgo-connection-active = مربوط
pgo-connection-ended = لم يعد مربوطًا
pgo-last-fetch = آخر جلب
pgo-fetch = الجلب مرة أخرى
pgo-withdraw = سحب الموافقة
pgo-connect-again = الربط مرة أخرى
pgo-delete-source = حذف بيانات مقدّم الرعاية هذا
pgo-add-provider = إضافة مقدّم رعاية
pgo-delete-account-title = حذف كل شيء
pgo-delete-account-text = يمكنك حذف بيئتك الصحية وكل البيانات فيها دفعة واحدة. عندها تُسحب أيضًا موافقاتك لدى مقدّمي الرعاية. لا يمكنك التراجع عن ذلك.
pgo-delete-account-confirm = نعم، احذف كل شيء.
pgo-delete-account-button = حذف كل شيء
pgo-notice-denied = لم تعطِ موافقتك. لم يتم جلب أي شيء.
pgo-notice-failed = لم ينجح الربط. حاول مرة أخرى لاحقًا. إذا لم ينجح بعد ذلك أيضًا، تواصل مع مقدّم الرعاية.
pgo-notice-withdrawn = تم سحب موافقتك. البيانات التي جُلبت من قبل تبقى هنا إلى أن تحذفها.
pgo-notice-source-deleted = تم حذف بيانات مقدّم الرعاية هذا.
pgo-notice-expired = استغرق الربط وقتًا طويلًا جدًا. ابدأ من جديد.
pgo-fetch-none = لم يتم جلب أي شيء من { $name }.
pgo-fetch-complete = تم جلب كل شيء. جديد أو متغيّر: { $count }.
pgo-fetch-partial = تم جلب جزء. جديد أو متغيّر: { $count }.
pgo-failed = تعذّر جلب { $what } من { $name }:
pgo-why-no-answer = مقدّم الرعاية لا يرد. حاول مرة أخرى لاحقًا.
pgo-why-consent = انتهت موافقتك أو سُحبت. اربط مقدّم الرعاية مرة أخرى.
pgo-why-not-offered = مقدّم الرعاية هذا لا يقدّم هذه البيانات.
pgo-why-fault = يوجد عطل لدى مقدّم الرعاية. حاول مرة أخرى لاحقًا.
pgo-why-unreadable = أرسل مقدّم الرعاية بيانات لا نستطيع قراءتها. تواصل مع مقدّم الرعاية إذا استمر حدوث ذلك.
pgo-why-not-whitelisted = مقدّم الرعاية هذا ليس في قائمة MedMij. لا نجلب منه أي شيء.
pgo-q-patient = البيانات عنك وعن طبيب عائلتك
pgo-q-episodes = المشكلات الصحية
pgo-q-medication = الأدوية
pgo-q-allergies = الحساسية
pgo-q-results = النتائج
pgo-q-journal = تقارير مواعيدك
pgo-q-encounters = المواعيد مع العيادة
pgo-q-documents = الرسائل والمستندات
pgo-providers-title = إضافة مقدّم رعاية
pgo-search-label = اسم مقدّم الرعاية
pgo-search = بحث
pgo-lists-missing = قائمة مقدّمي الرعاية غير متاحة الآن. حاول مرة أخرى لاحقًا.
pgo-no-providers = لم يُعثر على مقدّم رعاية بهذا الاسم.
pgo-connect = ربط
pgo-data-title = بياناتي
pgo-data-intro = هنا تجد بيانات كل مقدّمي الرعاية لديك معًا. مع كل معلومة مكتوب مصدرها. إذا كانت المعلومة نفسها لدى مقدّمَي رعاية اثنين، تراها مرة واحدة.
pgo-data-empty = لم يتم جلب أي بيانات بعد.
pgo-data-unreadable = لا نستطيع بعد عرض بيانات { $name }: لم تُجلب بياناتك الشخصية من هناك بعد. اختر «الجلب مرة أخرى».
pgo-section-problems = المشكلات الصحية
pgo-section-medication = الأدوية التي تستخدمها الآن
pgo-section-allergies = الحساسية
pgo-section-results = النتائج
pgo-section-documents = الرسائل والمستندات
pgo-section-empty = لا شيء معروف.
pgo-inactive = لم يعد نشطًا
pgo-seen-at = موجود لدى
pgo-log-intro = هنا ترى ما حدث في بيئتك الصحية: تسجيل الدخول، والربط، والجلب، وسحب الموافقة.
pgo-log-login = تم تسجيل الدخول
pgo-log-account-created = تم إنشاء البيئة الصحية
pgo-log-connect = تم الربط مع
pgo-log-fetch = تم جلب البيانات من
pgo-log-fetch-partial = تم جلب جزء من البيانات من
pgo-log-withdraw = تم سحب الموافقة لدى
pgo-log-delete-source = تم حذف البيانات الواردة من

## What the person adds themselves, and sending measurements (data service 52)
pgo-nav-own = الإدخال بنفسك
pgo-own-title = الإدخال بنفسك
pgo-own-intro = هنا تضيف بنفسك إلى بيئتك الصحية قياسات، وأدوية دون وصفة طبية، وملاحظات. تظهر مع بياناتك مع عبارة «من إدخالك أنت». يمكنك إرسال القياسات إلى مقدّم الرعاية الخاص بك.
pgo-own-measure = إضافة قياس
pgo-own-kind = ماذا قِست؟
pgo-own-value = النتيجة
pgo-own-value-hint = الرقم فقط، مثلًا 72.5 لوزنك بالكيلوغرام أو 37.2 لدرجة حرارتك. لضغط الدم أدخل الرقمين في الأسفل.
pgo-own-systolic = الضغط العلوي (الرقم الأعلى)
pgo-own-diastolic = الضغط السفلي (الرقم الأدنى)
pgo-own-date = التاريخ
pgo-own-time = الوقت (إذا كنت تعرفه)
pgo-own-comment = ملاحظة (اختياري)
pgo-own-save = حفظ
pgo-own-saved = تم الحفظ.
pgo-own-medicine = دواء دون وصفة طبية
pgo-own-medicine-name = اسم الدواء
pgo-own-medicine-dose = الكمية وعدد المرات
pgo-own-medicine-since = منذ متى
pgo-own-note = ملاحظة
pgo-own-note-text = ملاحظتك
pgo-own-send-title = إرسال القياسات إلى مقدّم الرعاية الخاص بك
pgo-own-send-none = لم تربط بعد مقدّم رعاية يستقبل القياسات. اربط طبيب عائلتك لخدمة «قياسات العلامات الحيوية» (Meetwaarden vitale functies).
pgo-own-send = { $count ->
    [zero] أرسل { $count } قياس جديد إلى { $name }
    [one] أرسل قياسًا جديدًا واحدًا إلى { $name }
    [two] أرسل قياسين جديدين إلى { $name }
    [few] أرسل { $count } قياسات جديدة إلى { $name }
    [many] أرسل { $count } قياسًا جديدًا إلى { $name }
   *[other] أرسل { $count } قياس جديد إلى { $name }
}
pgo-own-sent = { $count ->
    [zero] تم إرسال { $count } قياس إلى { $name }.
    [one] تم إرسال قياس واحد إلى { $name }.
    [two] تم إرسال قياسين إلى { $name }.
    [few] تم إرسال { $count } قياسات إلى { $name }.
    [many] تم إرسال { $count } قياسًا إلى { $name }.
   *[other] تم إرسال { $count } قياس إلى { $name }.
} سيراجع مقدّم الرعاية الخاص بك ما أرسلته.
pgo-own-not-sent = لم يتم إرسال القياسات:
pgo-own-items = ما أدخلته بنفسك
pgo-own-sent-to = أُرسل إلى
pgo-own-delete = حذف
pgo-own-source = من إدخالك أنت
pgo-own-err-kind = اختر ما قِسته. لم يتم حفظ أي شيء.
pgo-own-err-value = أدخل رقمًا (لضغط الدم: الضغط العلوي أعلى من الضغط السفلي). لم يتم حفظ أي شيء.
pgo-own-err-range = لا يمكن أن يكون هذا الرقم صحيحًا لهذا القياس. تحقّق من وجود خطأ في الكتابة. لم يتم حفظ أي شيء.
pgo-own-err-when = أدخل تاريخًا صحيحًا، والوقت بصيغة ساعة:دقيقة (hh:mm). لم يتم حفظ أي شيء.
pgo-own-err-future = هذا التاريخ في المستقبل. لم يتم حفظ أي شيء.
pgo-own-err-name = أدخل اسم الدواء. لم يتم حفظ أي شيء.
pgo-own-err-text = أدخل نصًا من 1000 حرف كحد أقصى. لم يتم حفظ أي شيء.
pgo-own-err-nothing = لا توجد قياسات جديدة للإرسال.
pgo-why-refused = لم يقبل مقدّم الرعاية القياسات. تواصل مع مقدّم الرعاية إذا استمر حدوث ذلك.
pgo-q-measurements = القياسات
pgo-section-measurements = القياسات
pgo-section-notes = ملاحظاتي
pgo-log-own-add = أدخلت شيئًا بنفسك
pgo-log-own-delete = حذفت شيئًا أدخلته بنفسك
pgo-log-send = تم إرسال قياسات إلى

## Share links (R126)
pgo-nav-share = المشاركة
pgo-share-title = المشاركة مع مقدّم رعاية
pgo-share-intro = أنشئ رابطًا يستطيع به مقدّم رعاية قراءة جزء من بياناتك، لفترة قصيرة. يحتاج مقدّم الرعاية أيضًا إلى رمز. أعطِ الرابط والرمز كلًّا على حدة، مثلًا الرابط بالبريد الإلكتروني والرمز عبر الهاتف. ترى هنا كم مرة فُتح الرابط، ويمكنك دائمًا إيقافه فورًا.
pgo-share-new = رابط جديد
pgo-share-for = لمن هذا الرابط؟
pgo-share-parts = ما البيانات التي يُسمح لمقدّم الرعاية بقراءتها؟
pgo-share-period = إلى متى يعمل الرابط؟
pgo-share-1h = ساعة واحدة
pgo-share-1d = يوم واحد
pgo-share-3d = 3 أيام
pgo-share-7d = أسبوع واحد
pgo-share-30d = 30 يومًا
pgo-share-create = إنشاء الرابط
pgo-share-made = رابطك جاهز
pgo-share-link = أرسل هذا الرابط إلى مقدّم الرعاية:
pgo-share-code = الرمز هو:
pgo-share-apart = ترى الرمز الآن فقط. أعطِه منفصلًا عن الرابط.
pgo-share-links = روابطك
pgo-share-none = لم تُنشئ أي روابط بعد.
pgo-share-until = يعمل حتى
pgo-share-openings = عدد مرات الفتح:
pgo-share-open = يعمل
pgo-share-expired = انتهت صلاحيته
pgo-share-revoked = متوقف
pgo-share-revoke = إيقاف
pgo-share-err-label = اكتب لمن الرابط (100 حرف كحد أقصى). لم يتم إنشاء أي رابط.
pgo-share-err-parts = اختر البيانات التي يُسمح لمقدّم الرعاية بقراءتها. لم يتم إنشاء أي رابط.
pgo-share-err-period = اختر إلى متى يعمل الرابط. لم يتم إنشاء أي رابط.
pgo-shared-title = بيانات تمت مشاركتها
pgo-shared-intro = شارك شخص ما بيانات معك. أدخل الرمز الذي حصلت عليه منفصلًا.
pgo-shared-code = الرمز
pgo-shared-open = فتح
pgo-share-err-code = هذا الرمز غير صحيح. بعد خمسة رموز خاطئة يتوقف الرابط عن العمل.
pgo-shared-gone = هذا الرابط لا يعمل (أو لم يعد يعمل). اطلب من الشخص رابطًا جديدًا.
pgo-shared-of = بيانات { $name }
pgo-shared-readonly = يمكنك قراءة هذه البيانات فقط. يعمل الرابط حتى { $date }.
pgo-log-share = تم إنشاء رابط للمستلم
pgo-log-share-open = تم فتح الرابط من قِبل
pgo-log-share-revoke = تم إيقاف رابط المستلم
pgo-log-share-closed = توقّف بعد خمسة رموز خاطئة رابط المستلم
pgo-shared-own-source = من إدخال الشخص نفسه
pgo-shared-part-problems = المشكلات الصحية
pgo-shared-part-medication = الأدوية التي يستخدمها الشخص الآن
pgo-shared-part-allergies = الحساسية
pgo-shared-part-measurements = القياسات
pgo-shared-part-results = النتائج
pgo-shared-part-documents = الرسائل والمستندات
pgo-shared-part-notes = ملاحظات الشخص

## Timeline and course over time
pgo-data-views = طرق عرض بياناتك
pgo-view-parts = حسب الموضوع
pgo-view-timeline = التسلسل الزمني
pgo-view-trends = التطوّر عبر الوقت
pgo-timeline-title = التسلسل الزمني
pgo-timeline-intro = كل ما له تاريخ، الأحدث أولًا، من كل مقدّمي الرعاية لديك ومما أدخلته بنفسك.
pgo-timeline-undated = { $count ->
    [zero] { $count } معلومة ليس لها تاريخ. تجدها في «حسب الموضوع».
    [one] معلومة واحدة ليس لها تاريخ. تجدها في «حسب الموضوع».
    [two] معلومتان ليس لهما تاريخ. تجدهما في «حسب الموضوع».
    [few] { $count } معلومات ليس لها تاريخ. تجدها في «حسب الموضوع».
    [many] { $count } معلومة ليس لها تاريخ. تجدها في «حسب الموضوع».
   *[other] { $count } معلومة ليس لها تاريخ. تجدها في «حسب الموضوع».
}
pgo-part-problems = مشكلة صحية
pgo-part-medication = دواء
pgo-part-allergies = حساسية
pgo-part-measurements = قياس
pgo-part-results = نتيجة
pgo-part-documents = رسالة أو مستند
pgo-part-notes = ملاحظة
pgo-trends-title = تطوّر النتائج والقياسات
pgo-trends-intro = كيف تتغيّر نتائجك وقياساتك، من كل مقدّمي الرعاية لديك معًا. القيمة التي يرسلها مقدّما رعاية اثنان تظهر مرة واحدة. تحت كل رسم بياني تجد القيم نفسها في جدول.
pgo-trends-none = لا توجد بعد نتائج أو قياسات أُجريت أكثر من مرة.
pgo-trends-table = كل قيم { $name }
pgo-trends-date = التاريخ
pgo-trends-value = القيمة
pgo-trend-systolic = الضغط العلوي
pgo-trend-diastolic = الضغط السفلي

## Ways to share
pgo-share-ways = طرق المشاركة
pgo-share-way-link = رابط لمقدّم رعاية
pgo-share-way-family = العائلة والمقرّبون
pgo-share-way-team = فريق الرعاية

## Family
pgo-family-title = السماح للعائلة والمقرّبين بالاطلاع
pgo-family-intro = يمكن لشخص تثق به، ولديه بيئة صحية خاصة به، أن يقرأ جزءًا من بياناتك. لا يستطيع هذا الشخص تغيير أي شيء. يمكنك إيقاف ذلك في أي وقت. ترى في «ماذا حدث» متى تم الاطلاع.
pgo-family-given = من يُسمح له بالاطلاع على بياناتك
pgo-family-given-none = لا أحد بعد.
pgo-family-new = دعوة شخص
pgo-family-for = من تدعو؟
pgo-family-parts = ما البيانات التي يُسمح لهذا الشخص بقراءتها؟
pgo-family-create = إنشاء الدعوة
pgo-family-made = دعوتك جاهزة
pgo-family-code = الرمز هو:
pgo-family-made-how = ترى الرمز الآن فقط. أعطِه أنت بنفسك للشخص. يسجّل هذا الشخص الدخول إلى بيئته الصحية، ويختار «المشاركة» ثم «العائلة والمقرّبون»، ويُدخل الرمز. يعمل الرمز لمدة 7 أيام ومرة واحدة فقط.
pgo-family-invited-until = تمت الدعوة، الرمز يعمل حتى { $date }
pgo-family-invite-expired = انتهت صلاحية الرمز
pgo-family-reading-since = { $name } يطّلع على بياناتك منذ { $date }
pgo-family-ended = متوقف
pgo-family-end = إيقاف
pgo-family-received = على بيانات من تطّلع
pgo-family-received-none = أنت لا تطّلع على بيانات أحد بعد.
pgo-family-data-of = بيانات { $name }
pgo-family-stop-reading = التوقف عن الاطلاع
pgo-family-enter = إدخال رمز من شخص آخر
pgo-family-enter-code = الرمز
pgo-family-accept = بدء الاطلاع
pgo-family-read-note = يسمح لك { $name } بقراءة هذه البيانات. لا يمكنك تغيير أي شيء. يرى { $name } متى تطّلع عليها.
pgo-family-back = العودة إلى العائلة والمقرّبين
pgo-family-notice-ended = توقّف الاطلاع.
pgo-family-err-label = اكتب من تدعو (100 حرف كحد أقصى). لم يتم إنشاء أي دعوة.
pgo-family-err-parts = اختر البيانات التي يُسمح لهذا الشخص بقراءتها. لم يتم إنشاء أي دعوة.
pgo-family-err-code = هذا الرمز لا يعمل. تحقّق من أنك نقلته بشكل صحيح، أو اطلب رمزًا جديدًا.
pgo-family-err-too-many = أدخلت رمزًا خاطئًا مرات كثيرة جدًا. سجّل الدخول مرة أخرى لتحاول من جديد.
pgo-log-family-invite = تم إنشاء دعوة للاطلاع للمدعو
pgo-log-family-accepted = بدأ الاطلاع من قِبل
pgo-log-family-joined = أنت الآن تطّلع على بيانات
pgo-log-family-read = تم الاطلاع على البيانات من قِبل
pgo-log-family-end = تم إيقاف اطلاع
pgo-log-family-left = توقّف عن الاطلاع
pgo-log-family-stopped = لم تعد تطّلع على بيانات

## Care team
pgo-team-title = فريق الرعاية
pgo-team-intro = اجمع في مكان واحد مقدّمي الرعاية الذين يساعدونك في حالة صحية واحدة. كل من في فريق الرعاية يقرأ البيانات التي تختارها، وخطة العلاج، وكل الرسائل. برسالة واحدة تُخبر الجميع في الوقت نفسه. يمكنك إخراج مقدّم رعاية من الفريق، أو إغلاق فريق الرعاية، متى شئت.
pgo-team-yours = فرق الرعاية الخاصة بك
pgo-team-none = ليس لديك فريق رعاية بعد.
pgo-team-new = فريق رعاية جديد
pgo-team-name = ما الموضوع؟
pgo-team-name-hint = مثلًا: «بشرتي». لا يرى هذا إلا أنت ومقدّمو الرعاية في فريق الرعاية.
pgo-team-parts = ما البيانات التي يُسمح لمقدّمي الرعاية بقراءتها؟
pgo-team-create = إنشاء فريق الرعاية
pgo-team-closed = مغلق
pgo-team-count-members = { $count ->
    [zero] لا يوجد مقدّم رعاية
    [one] مقدّم رعاية واحد
    [two] مقدّما رعاية
    [few] { $count } مقدّمي رعاية
    [many] { $count } مقدّم رعاية
   *[other] { $count } مقدّم رعاية
}
pgo-team-count-messages = { $count ->
    [zero] لا توجد رسائل
    [one] رسالة واحدة
    [two] رسالتان
    [few] { $count } رسائل
    [many] { $count } رسالة
   *[other] { $count } رسالة
}
pgo-team-back = العودة إلى فرق الرعاية الخاصة بك
pgo-team-is-closed = فريق الرعاية هذا مغلق. لم تعد الروابط تعمل. ما زال بإمكانك قراءة كل شيء.
pgo-team-made = رابط { $name } جاهز
pgo-team-shows = البيانات التي يقرؤها فريق الرعاية:
pgo-team-shows-nothing = لا شيء (الخطة والرسائل فقط).
pgo-team-members = مقدّمو الرعاية في فريق الرعاية هذا
pgo-team-no-members = لا أحد بعد. ادعُ مقدّم رعاية.
pgo-team-opened = { $count ->
    [0] لم يُفتح بعد
    [one] فُتح مرة واحدة
    [two] فُتح مرتين
    [few] فُتح { $count } مرات
    [many] فُتح { $count } مرة
   *[other] فُتح { $count } مرة
}
pgo-team-removed = أُخرج من الفريق
pgo-team-remove = إخراج من فريق الرعاية
pgo-team-who = من تدعو؟ (مثلًا: طبيب العائلة، طبيب الأمراض الجلدية)
pgo-team-invite = إنشاء رابط ورمز
pgo-team-plan = خطة العلاج
pgo-team-plan-label = الخطة (ماذا سيحدث، ومن يفعل ماذا)
pgo-team-plan-save = حفظ الخطة
pgo-team-no-plan = لا توجد خطة بعد.
pgo-team-messages = الرسائل
pgo-team-no-messages = لا توجد رسائل بعد.
pgo-team-message = رسالتك إلى فريق الرعاية كله
pgo-team-file = صورة أو ملف PDF (اختياري)
pgo-team-send = إرسال إلى الجميع
pgo-team-close-title = إغلاق فريق الرعاية
pgo-team-close-text = بعد الإغلاق لن تعمل روابط جميع مقدّمي الرعاية. ما زال بإمكانك قراءة الرسائل بعد ذلك.
pgo-team-close = إغلاق فريق الرعاية
pgo-team-member-title = فريق الرعاية
pgo-team-member-code-intro = دعاك شخص ما إلى فريق رعاية. أدخل الرمز الذي حصلت عليه منفصلًا.
pgo-team-member-gone = هذا الرابط لا يعمل (أو لم يعد يعمل). اطلب من الشخص رابطًا جديدًا.
pgo-team-member-intro = دعاك { $name } إلى فريق الرعاية هذا بصفتك { $role }. يمكنك قراءة البيانات وإرسال رسائل إلى كل من في فريق الرعاية. يرى { $name } متى تطّلع.
pgo-team-err-title = اكتب موضوع فريق الرعاية (100 حرف كحد أقصى). لم يتم إنشاء أي شيء.
pgo-team-err-who = اكتب من تدعو (100 حرف كحد أقصى). لم يتم إنشاء أي رابط.
pgo-team-err-plan = الخطة طويلة جدًا (5000 حرف كحد أقصى). لم يتم حفظها.
pgo-team-err-closed = فريق الرعاية هذا مغلق. لم يتم تغيير أي شيء.
pgo-log-team-create = تم إنشاء فريق الرعاية
pgo-log-team-invite = تمت الدعوة إلى فريق الرعاية
pgo-log-team-open = تم فتح فريق الرعاية من قِبل
pgo-log-team-reply = رسالة في فريق الرعاية من
pgo-log-team-post = تم إرسال رسالة إلى فريق الرعاية
pgo-log-team-plan = تم تغيير خطة العلاج
pgo-log-team-remove = أُخرج من فريق الرعاية
pgo-log-team-close = تم إغلاق فريق الرعاية
pgo-log-team-link-closed = توقّف بعد خمسة رموز خاطئة رابط فريق الرعاية الخاص بالمدعو

## Documents
pgo-document-open = فتح
pgo-document-failed = تعذّر فتح المستند:
pgo-log-document-open = تم فتح مستند مصدره

## Asking a provider about measurements
pgo-view-ask = طلب القياسات
pgo-ask-title = طلب القياسات من مقدّم الرعاية الخاص بك
pgo-ask-intro = اسأل مقدّم رعاية يحفظ قياساتك عمّا لديه الآن عنك. يُحفظ الرد أيضًا مع بياناتك.
pgo-ask-none = لم تربط بعد مقدّم رعاية لخدمة «قياسات العلامات الحيوية» (Meetwaarden vitale functies).
pgo-ask-where = لدى أي مقدّم رعاية؟
pgo-ask-what = ماذا تريد أن تعرف؟
pgo-ask-q1 = كل قياسات ضغط الدم
pgo-ask-q2 = آخر وزن
pgo-ask-q3 = كل قياسات سكر الدم
pgo-ask-q4 = كل قياسات نبض القلب
pgo-ask-q5 = قياسات ضغط الدم في فترة معيّنة
pgo-ask-q6 = كل القياسات في فترة معيّنة
pgo-ask-q7 = كل العلامات الحيوية
pgo-ask-period = الفترة (فقط لـ «في فترة معيّنة»)
pgo-ask-from = من
pgo-ask-to = حتى (بما في ذلك هذا اليوم)
pgo-ask-button = طلب
pgo-ask-answer = { $what } لدى { $name }
pgo-ask-nothing = ليس لدى مقدّم الرعاية شيء من هذا عنك.
pgo-ask-failed = لم ينجح الطلب من { $name }:
pgo-ask-err-question = اختر ما تريد أن تعرفه. لم يتم طلب أي شيء.
pgo-ask-err-period = أدخل فترة: يجب ألا يكون التاريخ الأول بعد التاريخ الثاني. لم يتم طلب أي شيء.
pgo-log-ask = تم طلب قياسات من
