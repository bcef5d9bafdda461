# The PGO: a person's own health environment (issue 19). Plain Turkish (B1).
pgo-title = Sağlık ortamım
pgo-intro = Burada aile hekiminizden ve diğer sağlık kuruluşlarından gelen sağlık bilgilerinizi tek bir yerde toplarsınız. Hangi sağlık kuruluşlarını bağlayacağınıza siz karar verirsiniz. Bilgilerinizi yalnızca siz görebilirsiniz.
pgo-welcome = Hoş geldiniz, { $name }.
pgo-login = Giriş yap
pgo-nav = Sağlık ortamınızın menüsü
pgo-nav-home = Bağlantılarım
pgo-nav-data = Bilgilerim
pgo-nav-providers = Sağlık kuruluşu ekle
pgo-nav-log = Neler oldu
pgo-signup-title = Sağlık ortamınızı oluşturun
pgo-signup-point-1 = Bilgilerinizi MedMij sistemine bağlı sağlık kuruluşlarından alırsınız.
pgo-signup-point-2 = Bilgileriniz şifrelenmiş olarak saklanır. Biz onlara bakmayız ve kimseye vermeyiz.
pgo-signup-point-3 = İstediğiniz an her şeyi tek seferde silebilirsiniz.
pgo-signup-agree = Bunu okudum ve bir sağlık ortamı istiyorum.
pgo-signup-button = Oluştur
pgo-connections = Sağlık kuruluşlarınız
pgo-no-connections = Henüz bir sağlık kuruluşu bağlamadınız. Başlamak için "Sağlık kuruluşu ekle" seçeneğini seçin.
pgo-connection-active = bağlı
pgo-connection-ended = artık bağlı değil
pgo-last-fetch = Son alınma
pgo-fetch = Yeniden al
pgo-withdraw = İzni geri al
pgo-connect-again = Yeniden bağla
pgo-delete-source = Bu sağlık kuruluşunun bilgilerini sil
pgo-add-provider = Sağlık kuruluşu ekle
pgo-delete-account-title = Her şeyi sil
pgo-delete-account-text = Sağlık ortamınızı ve içindeki tüm bilgileri tek seferde silebilirsiniz. Sağlık kuruluşlarına verdiğiniz izinler de o zaman geri alınır. Bu işlem geri döndürülemez.
pgo-delete-account-confirm = Evet, her şeyi sil.
pgo-delete-account-button = Her şeyi sil
pgo-notice-denied = İzin vermediniz. Hiçbir şey alınmadı.
pgo-notice-failed = Bağlantı kurulamadı. Daha sonra yeniden deneyin. Yine olmazsa sağlık kuruluşuyla iletişime geçin.
pgo-notice-withdrawn = İzniniz geri alındı. Daha önce alınmış bilgiler, siz silene kadar burada kalır.
pgo-notice-source-deleted = Bu sağlık kuruluşunun bilgileri silindi.
pgo-notice-expired = Bağlantı kurmak çok uzun sürdü. Yeniden başlayın.
pgo-fetch-none = Şu sağlık kuruluşundan hiçbir şey alınmadı: { $name }.
pgo-fetch-complete = Her şey alındı. Yeni veya değişmiş: { $count }.
pgo-fetch-partial = Bir kısmı alındı. Yeni veya değişmiş: { $count }.
pgo-failed = Şu bilgiler alınamadı: { $what } ({ $name }). Nedeni:
pgo-why-no-answer = sağlık kuruluşu yanıt vermiyor. Daha sonra yeniden deneyin.
pgo-why-consent = izninizin süresi doldu ya da izin geri alındı. Sağlık kuruluşunu yeniden bağlayın.
pgo-why-not-offered = bu sağlık kuruluşu bu bilgileri sunmuyor.
pgo-why-fault = sağlık kuruluşunda bir arıza var. Daha sonra yeniden deneyin.
pgo-why-unreadable = sağlık kuruluşu, okuyamadığımız bilgiler gönderdi. Bu tekrar tekrar olursa sağlık kuruluşuyla iletişime geçin.
pgo-why-not-whitelisted = bu sağlık kuruluşu MedMij listesinde yok. Oradan hiçbir şey almıyoruz.
pgo-q-patient = kendiniz ve aile hekiminiz hakkındaki bilgiler
pgo-q-episodes = sağlık sorunları
pgo-q-medication = ilaçlar
pgo-q-allergies = alerjiler
pgo-q-results = test sonuçları
pgo-q-journal = randevularınızla ilgili raporlar
pgo-q-encounters = muayenehanedeki randevular
pgo-q-documents = mektuplar ve belgeler
pgo-providers-title = Sağlık kuruluşu ekle
pgo-search-label = Sağlık kuruluşunun adı
pgo-search = Ara
pgo-lists-missing = Sağlık kuruluşları listesi şu anda kullanılamıyor. Daha sonra yeniden deneyin.
pgo-no-providers = Bu adla bir sağlık kuruluşu bulunamadı.
pgo-connect = Bağla
pgo-data-title = Bilgilerim
pgo-data-intro = Burada tüm sağlık kuruluşlarınızdan gelen bilgiler bir arada. Her bilginin yanında nereden geldiği yazar. Aynı bilgi iki sağlık kuruluşunda varsa onu bir kez görürsünüz.
pgo-data-empty = Henüz hiçbir bilgi alınmadı.
pgo-data-unreadable = Şu sağlık kuruluşundan gelen bilgileri henüz gösteremiyoruz: { $name }. Kişisel bilgileriniz oradan henüz alınmadı. "Yeniden al" seçeneğini seçin.
pgo-section-problems = Sağlık sorunları
pgo-section-medication = Şu anda kullandığınız ilaçlar
pgo-section-allergies = Alerjiler
pgo-section-results = Test sonuçları
pgo-section-documents = Mektuplar ve belgeler
pgo-section-empty = Bilinen bir şey yok.
pgo-inactive = artık etkin değil
pgo-seen-at = Kaynak
pgo-log-intro = Burada sağlık ortamınızda neler olduğunu görürsünüz: giriş yapma, bağlama, bilgi alma ve izni geri alma.
pgo-log-login = Giriş yapıldı
pgo-log-account-created = Sağlık ortamı oluşturuldu
pgo-log-connect = Bağlantı kuruldu
pgo-log-fetch = Bilgiler alındı
pgo-log-fetch-partial = Bilgilerin bir kısmı alındı
pgo-log-withdraw = İzin geri alındı
pgo-log-delete-source = Bilgiler silindi

## What the person adds themselves, and sending measurements (data service 52)
pgo-nav-own = Kendiniz ekleyin
pgo-own-title = Kendiniz ekleyin
pgo-own-intro = Burada ölçümleri, reçetesiz ilaçları ve notları sağlık ortamınıza kendiniz eklersiniz. Bunlar bilgilerinizin arasında "kendiniz eklediniz" notuyla görünür. Ölçümleri sağlık kuruluşunuza gönderebilirsiniz.
pgo-own-measure = Ölçüm ekle
pgo-own-kind = Neyi ölçtünüz?
pgo-own-value = Ölçülen değer
pgo-own-value-hint = Yalnızca sayıyı yazın; örneğin kilonuz için 72,5 ya da vücut sıcaklığınız için 37,2. Tansiyon için aşağıya iki sayıyı yazın.
pgo-own-systolic = Büyük tansiyon (yüksek olan sayı)
pgo-own-diastolic = Küçük tansiyon (düşük olan sayı)
pgo-own-date = Tarih
pgo-own-time = Saat (biliyorsanız)
pgo-own-comment = Açıklama (zorunlu değil)
pgo-own-save = Kaydet
pgo-own-saved = Kaydedildi.
pgo-own-medicine = Reçetesiz ilaç
pgo-own-medicine-name = İlacın adı
pgo-own-medicine-dose = Ne kadar ve ne sıklıkla
pgo-own-medicine-since = Ne zamandan beri
pgo-own-note = Not
pgo-own-note-text = Notunuz
pgo-own-send-title = Ölçümleri sağlık kuruluşunuza gönderin
pgo-own-send-none = Henüz ölçüm kabul eden bir sağlık kuruluşu bağlamadınız. Aile hekiminizi "Meetwaarden vitale functies" (hayati bulgu ölçümleri) için bağlayın.
pgo-own-send = { $count ->
    [one] 1 yeni ölçümü şuraya gönder: { $name }
   *[other] { $count } yeni ölçümü şuraya gönder: { $name }
}
pgo-own-sent = { $count ->
    [one] 1 ölçüm şuraya gönderildi: { $name }. Sağlık kuruluşunuz ölçüme bakacak.
   *[other] { $count } ölçüm şuraya gönderildi: { $name }. Sağlık kuruluşunuz ölçümlere bakacak.
}
pgo-own-not-sent = Ölçümler gönderilmedi. Nedeni:
pgo-own-items = Kendiniz eklediğiniz bilgiler
pgo-own-sent-to = Gönderildiği yer
pgo-own-delete = Sil
pgo-own-source = kendiniz eklediniz
pgo-own-err-kind = Neyi ölçtüğünüzü seçin. Hiçbir şey kaydedilmedi.
pgo-own-err-value = Bir sayı yazın (tansiyonda büyük tansiyon, küçük tansiyondan yüksektir). Hiçbir şey kaydedilmedi.
pgo-own-err-range = Bu sayı bu ölçüm için doğru olamaz. Yazım hatası yapıp yapmadığınıza bakın. Hiçbir şey kaydedilmedi.
pgo-own-err-when = Geçerli bir tarih yazın, saati de ss:dd biçiminde yazın. Hiçbir şey kaydedilmedi.
pgo-own-err-future = Bu tarih gelecekte. Hiçbir şey kaydedilmedi.
pgo-own-err-name = İlacın adını yazın. Hiçbir şey kaydedilmedi.
pgo-own-err-text = En fazla 1000 karakterlik bir metin yazın. Hiçbir şey kaydedilmedi.
pgo-own-err-nothing = Gönderilecek yeni ölçüm yok.
pgo-why-refused = sağlık kuruluşu ölçümleri kabul etmedi. Bu tekrar tekrar olursa sağlık kuruluşuyla iletişime geçin.
pgo-q-measurements = ölçümler
pgo-section-measurements = Ölçümler
pgo-section-notes = Notlarım
pgo-log-own-add = Kendiniz bir şey eklediniz
pgo-log-own-delete = Kendiniz bir şey sildiniz
pgo-log-send = Ölçümler gönderildi

## Share links (R126)
pgo-nav-share = Paylaş
pgo-share-title = Bir sağlık çalışanıyla paylaşın
pgo-share-intro = Bir sağlık çalışanının bilgilerinizin bir kısmını kısa bir süre okuyabileceği bir bağlantı oluşturun. Sağlık çalışanının ayrıca bir koda ihtiyacı vardır. Bağlantıyı ve kodu ayrı ayrı iletin; örneğin bağlantıyı e-postayla, kodu telefonda. Bağlantının kaç kez açıldığını burada görürsünüz. Bağlantıyı her zaman hemen durdurabilirsiniz.
pgo-share-new = Yeni bağlantı
pgo-share-for = Bağlantı kimin için?
pgo-share-parts = Sağlık çalışanı hangi bilgileri okuyabilsin?
pgo-share-period = Bağlantı ne kadar süre çalışsın?
pgo-share-1h = 1 saat
pgo-share-1d = 1 gün
pgo-share-3d = 3 gün
pgo-share-7d = 1 hafta
pgo-share-30d = 30 gün
pgo-share-create = Bağlantı oluştur
pgo-share-made = Bağlantınız hazır
pgo-share-link = Bu bağlantıyı sağlık çalışanına gönderin:
pgo-share-code = Kod:
pgo-share-apart = Kodu yalnızca şimdi görürsünüz. Kodu bağlantıdan ayrı iletin.
pgo-share-links = Bağlantılarınız
pgo-share-none = Henüz bağlantı oluşturmadınız.
pgo-share-until = Son geçerlilik tarihi
pgo-share-openings = Açılma sayısı:
pgo-share-open = çalışıyor
pgo-share-expired = süresi doldu
pgo-share-revoked = durduruldu
pgo-share-revoke = Durdur
pgo-share-err-label = Bağlantının kimin için olduğunu yazın (en fazla 100 karakter). Bağlantı oluşturulmadı.
pgo-share-err-parts = Sağlık çalışanının hangi bilgileri okuyabileceğini seçin. Bağlantı oluşturulmadı.
pgo-share-err-period = Bağlantının ne kadar süre çalışacağını seçin. Bağlantı oluşturulmadı.
pgo-shared-title = Paylaşılan bilgiler
pgo-shared-intro = Birisi sizinle bilgi paylaştı. Ayrıca aldığınız kodu yazın.
pgo-shared-code = Kod
pgo-shared-open = Aç
pgo-share-err-code = Bu kod doğru değil. Beş yanlış koddan sonra bağlantı artık çalışmaz.
pgo-shared-gone = Bu bağlantı çalışmıyor ya da artık çalışmıyor. Kişiden yeni bir bağlantı isteyin.
pgo-shared-of = { $name } adlı kişinin bilgileri
pgo-shared-readonly = Bu bilgileri yalnızca okuyabilirsiniz. Bağlantı { $date } tarihine kadar çalışır.
pgo-log-share = Şu kişi için bağlantı oluşturuldu
pgo-log-share-open = Bağlantıyı açan
pgo-log-share-revoke = Şu kişinin bağlantısı durduruldu
pgo-log-share-closed = Beş yanlış koddan sonra şu kişinin bağlantısı durduruldu
pgo-shared-own-source = kişinin kendisi ekledi
pgo-shared-part-problems = Sağlık sorunları
pgo-shared-part-medication = Kişinin şu anda kullandığı ilaçlar
pgo-shared-part-allergies = Alerjiler
pgo-shared-part-measurements = Ölçümler
pgo-shared-part-results = Test sonuçları
pgo-shared-part-documents = Mektuplar ve belgeler
pgo-shared-part-notes = Kişinin notları

## Timeline and course over time
pgo-data-views = Bilgilerinize bakma yolları
pgo-view-parts = Konuya göre
pgo-view-timeline = Zaman çizelgesi
pgo-view-trends = Zaman içindeki değişim
pgo-timeline-title = Zaman çizelgesi
pgo-timeline-intro = Tarihi olan her şey, en yenisi önce: tüm sağlık kuruluşlarınızdan gelenler ve kendiniz eklediğiniz bilgiler.
pgo-timeline-undated = { $count ->
    [one] Bir bilginin tarihi yok. Onu "Konuya göre" bölümünde bulursunuz.
   *[other] { $count } bilginin tarihi yok. Onları "Konuya göre" bölümünde bulursunuz.
}
pgo-part-problems = Sağlık sorunu
pgo-part-medication = İlaç
pgo-part-allergies = Alerji
pgo-part-measurements = Ölçüm
pgo-part-results = Test sonucu
pgo-part-documents = Mektup veya belge
pgo-part-notes = Not
pgo-trends-title = Sonuçların ve ölçümlerin zaman içindeki değişimi
pgo-trends-intro = Sonuçlarınızın ve ölçümlerinizin nasıl değiştiği, tüm sağlık kuruluşlarınızdan gelenler bir arada. İki sağlık kuruluşunun gönderdiği aynı değer bir kez gösterilir. Her grafiğin altında aynı değerler bir tabloda yer alır.
pgo-trends-none = Henüz birden fazla kez yapılmış bir test veya ölçüm yok.
pgo-trends-table = Tüm değerler: { $name }
pgo-trends-date = Tarih
pgo-trends-value = Değer
pgo-trend-systolic = büyük tansiyon
pgo-trend-diastolic = küçük tansiyon

## Ways to share
pgo-share-ways = Paylaşma yolları
pgo-share-way-link = Sağlık çalışanı için bağlantı
pgo-share-way-family = Aile ve yakınlar
pgo-share-way-team = Bakım ekibi

## Family
pgo-family-title = Ailenizin ve yakınlarınızın bilgilerinize bakmasına izin verin
pgo-family-intro = Güvendiğiniz ve kendi sağlık ortamı olan biri, bilgilerinizin bir kısmını okuyabilir. Bu kişi hiçbir şeyi değiştiremez. Bunu istediğiniz an durdurabilirsiniz. Ne zaman bakıldığını "Neler oldu" bölümünde görürsünüz.
pgo-family-given = Bilgilerinize kimler bakabilir
pgo-family-given-none = Henüz kimse.
pgo-family-new = Birini davet edin
pgo-family-for = Kimi davet ediyorsunuz?
pgo-family-parts = Bu kişi hangi bilgileri okuyabilsin?
pgo-family-create = Davet oluştur
pgo-family-made = Davetiniz hazır
pgo-family-code = Kod:
pgo-family-made-how = Kodu yalnızca şimdi görürsünüz. Kodu kişiye kendiniz verin. Bu kişi kendi sağlık ortamına giriş yapar, önce "Paylaş", sonra "Aile ve yakınlar" seçeneğini seçer ve kodu yazar. Kod 7 gün boyunca ve yalnızca bir kez çalışır.
pgo-family-invited-until = davet edildi, kod { $date } tarihine kadar çalışır
pgo-family-invite-expired = kodun süresi doldu
pgo-family-reading-since = { $name }, { $date } tarihinden beri bilgilerinize bakıyor
pgo-family-ended = durduruldu
pgo-family-end = Durdur
pgo-family-received = Kimlerin bilgilerine bakıyorsunuz
pgo-family-received-none = Henüz kimsenin bilgilerine bakmıyorsunuz.
pgo-family-data-of = { $name } adlı kişinin bilgileri
pgo-family-stop-reading = Bakmayı bırak
pgo-family-enter = Başka birinden aldığınız kodu yazın
pgo-family-enter-code = Kod
pgo-family-accept = Bakmaya başla
pgo-family-read-note = { $name } bu bilgileri okumanıza izin veriyor. Hiçbir şeyi değiştiremezsiniz. { $name } ne zaman baktığınızı görür.
pgo-family-back = Aile ve yakınlar sayfasına dön
pgo-family-notice-ended = Bilgilere bakma durduruldu.
pgo-family-err-label = Kimi davet ettiğinizi yazın (en fazla 100 karakter). Davet oluşturulmadı.
pgo-family-err-parts = Bu kişinin hangi bilgileri okuyabileceğini seçin. Davet oluşturulmadı.
pgo-family-err-code = Bu kod çalışmıyor. Kodu doğru yazıp yazmadığınıza bakın ya da yeni bir kod isteyin.
pgo-family-err-too-many = Çok fazla kez yanlış kod yazdınız. Yeniden denemek için tekrar giriş yapın.
pgo-log-family-invite = Şu kişi için bilgilere bakma daveti oluşturuldu
pgo-log-family-accepted = Bilgilere bakmaya başlayan kişi
pgo-log-family-joined = Artık şu kişinin bilgilerine bakıyorsunuz
pgo-log-family-read = Bilgilere bakan kişi
pgo-log-family-end = Şu kişinin bilgilere bakması durduruldu
pgo-log-family-left = Bilgilere bakmayı bırakan kişi
pgo-log-family-stopped = Artık şu kişinin bilgilerine bakmıyorsunuz

## Care team
pgo-team-title = Bakım ekibi
pgo-team-intro = Tek bir hastalıkta size yardım eden sağlık çalışanlarını tek bir yerde bir araya getirin. Bakım ekibindeki herkes seçtiğiniz bilgileri, tedavi planını ve tüm mesajları okur. Tek bir mesajla herkesi aynı anda bilgilendirirsiniz. İstediğiniz zaman bir sağlık çalışanını ekipten çıkarabilir ya da bakım ekibini kapatabilirsiniz.
pgo-team-yours = Bakım ekipleriniz
pgo-team-none = Henüz bir bakım ekibiniz yok.
pgo-team-new = Yeni bakım ekibi
pgo-team-name = Konu nedir?
pgo-team-name-hint = Örneğin: "Cildim". Bunu yalnızca siz ve bakım ekibindeki sağlık çalışanları görür.
pgo-team-parts = Sağlık çalışanları hangi bilgileri okuyabilsin?
pgo-team-create = Bakım ekibi oluştur
pgo-team-closed = kapatıldı
pgo-team-count-members = { $count ->
    [one] 1 sağlık çalışanı
   *[other] { $count } sağlık çalışanı
}
pgo-team-count-messages = { $count ->
    [one] 1 mesaj
   *[other] { $count } mesaj
}
pgo-team-back = Bakım ekiplerinize dönün
pgo-team-is-closed = Bu bakım ekibi kapatıldı. Bağlantılar artık çalışmıyor. Her şeyi hâlâ okuyabilirsiniz.
pgo-team-made = Şu kişi için bağlantı hazır: { $name }
pgo-team-shows = Bakım ekibinin okuduğu bilgiler:
pgo-team-shows-nothing = hiçbiri (yalnızca plan ve mesajlar).
pgo-team-members = Bu bakım ekibindeki sağlık çalışanları
pgo-team-no-members = Henüz kimse yok. Bir sağlık çalışanını davet edin.
pgo-team-opened = { $count ->
    [0] henüz açılmadı
    [one] 1 kez açıldı
   *[other] { $count } kez açıldı
}
pgo-team-removed = ekipten çıkarıldı
pgo-team-remove = Bakım ekibinden çıkar
pgo-team-who = Kimi davet ediyorsunuz? (örneğin: Aile hekimi, Dermatolog)
pgo-team-invite = Bağlantı ve kod oluştur
pgo-team-plan = Tedavi planı
pgo-team-plan-label = Plan (ne yapılacak ve kim ne yapacak)
pgo-team-plan-save = Planı kaydet
pgo-team-no-plan = Henüz bir plan yok.
pgo-team-messages = Mesajlar
pgo-team-no-messages = Henüz mesaj yok.
pgo-team-message = Tüm bakım ekibine mesajınız
pgo-team-file = Fotoğraf veya PDF (zorunlu değil)
pgo-team-send = Herkese gönder
pgo-team-close-title = Bakım ekibini kapat
pgo-team-close-text = Kapattıktan sonra tüm sağlık çalışanlarının bağlantıları artık çalışmaz. Mesajları sonra da okuyabilirsiniz.
pgo-team-close = Bakım ekibini kapat
pgo-team-member-title = Bakım ekibi
pgo-team-member-code-intro = Birisi sizi bir bakım ekibine davet etti. Ayrıca aldığınız kodu yazın.
pgo-team-member-gone = Bu bağlantı çalışmıyor ya da artık çalışmıyor. Kişiden yeni bir bağlantı isteyin.
pgo-team-member-intro = { $name } sizi bu bakım ekibine şu rolle davet etti: { $role }. Bilgileri okuyabilir ve bakım ekibindeki herkese mesaj gönderebilirsiniz. { $name } ne zaman baktığınızı görür.
pgo-team-err-title = Bakım ekibinin konusunu yazın (en fazla 100 karakter). Hiçbir şey oluşturulmadı.
pgo-team-err-who = Kimi davet ettiğinizi yazın (en fazla 100 karakter). Bağlantı oluşturulmadı.
pgo-team-err-plan = Plan çok uzun (en fazla 5000 karakter). Plan kaydedilmedi.
pgo-team-err-closed = Bu bakım ekibi kapatıldı. Hiçbir şey değiştirilmedi.
pgo-log-team-create = Bakım ekibi oluşturuldu
pgo-log-team-invite = Bakım ekibine davet edildi
pgo-log-team-open = Bakım ekibini açan
pgo-log-team-reply = Bakım ekibinde mesaj yazan
pgo-log-team-post = Bakım ekibine mesaj gönderildi
pgo-log-team-plan = Tedavi planı değiştirildi
pgo-log-team-remove = Bakım ekibinden çıkarıldı
pgo-log-team-close = Bakım ekibi kapatıldı
pgo-log-team-link-closed = Beş yanlış koddan sonra şu kişinin bakım ekibi bağlantısı durduruldu

## Documents
pgo-document-open = Aç
pgo-document-failed = Belge açılamadı. Nedeni:
pgo-log-document-open = Şu sağlık kuruluşundan bir belge açıldı

## Asking a provider about measurements
pgo-view-ask = Ölçümleri iste
pgo-ask-title = Sağlık kuruluşunuzdan ölçümleri isteyin
pgo-ask-intro = Ölçümlerinizi saklayan bir sağlık kuruluşuna, şu anda sizinle ilgili hangi ölçümlerin olduğunu sorun. Yanıt da bilgilerinizle birlikte saklanır.
pgo-ask-none = "Meetwaarden vitale functies" (hayati bulgu ölçümleri) için henüz bir sağlık kuruluşu bağlamadınız.
pgo-ask-where = Hangi sağlık kuruluşu?
pgo-ask-what = Ne öğrenmek istiyorsunuz?
pgo-ask-q1 = Tüm tansiyon ölçümleri
pgo-ask-q2 = Son kilo ölçümü
pgo-ask-q3 = Tüm kan şekeri ölçümleri
pgo-ask-q4 = Tüm nabız ölçümleri
pgo-ask-q5 = Bir dönemdeki tansiyon ölçümleri
pgo-ask-q6 = Bir dönemdeki tüm ölçümler
pgo-ask-q7 = Tüm hayati bulgular
pgo-ask-period = Dönem (yalnızca "bir dönemdeki" seçenekleri için)
pgo-ask-from = Başlangıç
pgo-ask-to = Bitiş (o gün dahil)
pgo-ask-button = İste
pgo-ask-answer = { $what } ({ $name })
pgo-ask-nothing = Sağlık kuruluşunda bu konuda sizinle ilgili hiçbir şey yok.
pgo-ask-failed = Şu sağlık kuruluşundan isteme başarısız oldu: { $name }. Nedeni:
pgo-ask-err-question = Ne öğrenmek istediğinizi seçin. Hiçbir şey istenmedi.
pgo-ask-err-period = Bir dönem yazın: ilk tarih ikinci tarihten sonra olmamalı. Hiçbir şey istenmedi.
pgo-log-ask = Ölçümler istendi
