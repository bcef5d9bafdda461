# MedMij: a PGO (app) fetches the GP data with the patient's consent.

nav-apps = Erişimi olan uygulamalar
medmij-title = Uygulamanız için izin
medmij-statement = { $name } uygulamasının bilgilerinizi şu yerden almasını istiyorsunuz: { $title }. Buna izin veriyor musunuz?
medmij-what = Uygulama, portalda sizin de gördüklerinizin bir kopyasını alır: hastalıklarınız ve şikâyetleriniz, ilaçlarınızla ilgili kararlar, alerjiler, test sonuçları ve muayenehaneyle görüşmelerinizin notları.
medmij-not-what = Aile hekiminin kişisel notlarını ve muayenehanenin gizlediği bilgileri uygulama almaz.
medmij-revoke-later = İzninizi daha sonra istediğiniz zaman geri alabilirsiniz: portalda 'Erişimi olan uygulamalar' bölümünde.
medmij-client = Bu uygulama kendini şöyle tanıtıyor:
medmij-how-long = Uygulama bilgilerinizi ne kadar süre alabilsin?
medmij-once = Yalnızca şimdi
medmij-3-months = 3 ay
medmij-12-months = 12 ay
medmij-yes = Evet, izin veriyorum
medmij-no = Hayır, iptal et
medmij-unknown-client = Bu uygulama, bilgi almasına izin verilen uygulamaların listesinde (MedMij) yok. Hiçbir şey paylaşılmadı.
medmij-bad-redirect = Uygulamanın isteği doğru değil (geri dönüş adresi bu uygulamaya ait değil). Hiçbir şey paylaşılmadı.
medmij-no-request = Yanıt verilecek bir uygulama isteği yok. Uygulamanızda yeniden başlayın.
medmij-no-record = Bilgilerinizi bir uygulamayla paylaşamıyoruz. Belki bu muayenehanenin hastası değilsiniz. Ya da muayenehane, bilgilerinizi bir uygulamayla almak istediğinizi (henüz) kaydetmedi. Muayenehaneyle iletişime geçin.
medmij-error-next = Bu pencereyi kapatıp uygulamanıza geri dönebilirsiniz.
apps-title = Erişimi olan uygulamalar
apps-intro = Bu uygulamalar bilgilerinizi alabilir, çünkü buna izin verdiniz. İzni geri alırsanız uygulama hemen hiçbir şey alamaz.
apps-whose = Aşağıda, kendi dosyanıza erişim verdiğiniz uygulamalar var. Bu uygulamalar { $name } adlı kişinin dosyasına bakamaz: bu web sitesinde bir uygulamaya yalnızca kendi dosyanıza erişim verebilirsiniz.
apps-none = Bilgilerinize erişimi olan uygulama yok.
apps-until = erişim { $date } tarihine kadar (o gün dahil)
apps-revoke = İzni geri al
apps-revoked = İzin geri alındı. Uygulama artık bilgilerinizi alamaz.
