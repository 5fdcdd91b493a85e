# ruff: noqa: E501 - one question per line reads best in this data file
"""Demo question bank: plausible questions on party-building documents, for seed_demo.

Each line: question | option A | option B | option C | option D | correct letter | source."""

_BANK_TEXT = {
    "Điều lệ Đảng": """
Điều lệ Đảng hiện hành được Đại hội đại biểu toàn quốc lần thứ mấy của Đảng thông qua? | Lần thứ IX | Lần thứ X | Lần thứ XI | Lần thứ XII | C | Điều lệ Đảng
Theo Điều lệ Đảng, người vào Đảng phải từ đủ bao nhiêu tuổi đời trở lên? | 16 tuổi | 18 tuổi | 20 tuổi | 21 tuổi | B | Điều 1, Điều lệ Đảng
Thời gian dự bị của đảng viên là bao lâu? | 6 tháng | 9 tháng | 12 tháng | 18 tháng | C | Điều 5, Điều lệ Đảng
Theo Điều lệ Đảng, đảng viên có bao nhiêu nhiệm vụ? | 3 nhiệm vụ | 4 nhiệm vụ | 5 nhiệm vụ | 6 nhiệm vụ | B | Điều 2, Điều lệ Đảng
Theo Điều lệ Đảng, đảng viên có bao nhiêu quyền? | 3 quyền | 4 quyền | 5 quyền | 6 quyền | B | Điều 3, Điều lệ Đảng
Nguyên tắc tổ chức cơ bản của Đảng Cộng sản Việt Nam là gì? | Tập thể lãnh đạo, cá nhân phụ trách | Tập trung dân chủ | Tự phê bình và phê bình | Đoàn kết thống nhất | B | Điều 9, Điều lệ Đảng
Chi bộ phải có ít nhất bao nhiêu đảng viên chính thức? | 2 đảng viên | 3 đảng viên | 5 đảng viên | 7 đảng viên | B | Điều 21, Điều lệ Đảng
Chi bộ có từ bao nhiêu đảng viên chính thức trở lên thì bầu chi ủy? | 5 | 7 | 9 | 11 | C | Điều 24, Điều lệ Đảng
Tổ chức cơ sở đảng có từ bao nhiêu đảng viên trở lên thì lập đảng bộ cơ sở? | 20 | 25 | 30 | 50 | C | Điều 21, Điều lệ Đảng
Chi bộ họp thường lệ bao lâu một lần? | Mỗi tuần một lần | Mỗi tháng một lần | Mỗi quý một lần | Sáu tháng một lần | B | Điều 24, Điều lệ Đảng
Đại hội đảng bộ cơ sở được triệu tập bao nhiêu lần trong 5 năm? | Một lần | Hai lần | Ba lần | Năm lần | B | Điều 22, Điều lệ Đảng
Đảng viên bỏ sinh hoạt chi bộ hoặc không đóng đảng phí bao nhiêu tháng trong năm mà không có lý do chính đáng thì bị xóa tên? | 2 tháng | 3 tháng | 4 tháng | 6 tháng | B | Điều 8, Điều lệ Đảng
Đảng viên dự bị vi phạm kỷ luật có thể bị thi hành những hình thức kỷ luật nào? | Khiển trách, cảnh cáo | Khiển trách, cảnh cáo, cách chức | Cảnh cáo, khai trừ | Cách chức, khai trừ | A | Điều 35, Điều lệ Đảng
Hình thức kỷ luật cao nhất đối với đảng viên chính thức là gì? | Cảnh cáo | Cách chức | Khai trừ | Xóa tên | C | Điều 35, Điều lệ Đảng
Ai giới thiệu người vào Đảng? | Một đảng viên chính thức | Hai đảng viên chính thức | Ba đảng viên bất kỳ | Bí thư chi bộ | B | Điều 4, Điều lệ Đảng
Đảng viên đã được kết nạp bao nhiêu năm thì được tặng Huy hiệu 30 năm tuổi Đảng? | 25 năm | 30 năm | 35 năm | 40 năm | B | Điều 34, Điều lệ Đảng
Cơ quan lãnh đạo cao nhất của Đảng là gì? | Ban Chấp hành Trung ương | Bộ Chính trị | Đại hội đại biểu toàn quốc | Ban Bí thư | C | Điều 15, Điều lệ Đảng
Đại hội đại biểu toàn quốc của Đảng do ai triệu tập? | Bộ Chính trị | Ban Chấp hành Trung ương | Ban Bí thư | Ủy ban Kiểm tra Trung ương | B | Điều 15, Điều lệ Đảng
Ủy ban kiểm tra các cấp do cơ quan nào bầu ra? | Đại hội đảng bộ cùng cấp | Cấp ủy cùng cấp | Cấp ủy cấp trên | Ủy ban kiểm tra cấp trên | B | Điều 32, Điều lệ Đảng
Đảng viên tạm thời nghỉ sinh hoạt đảng có phải đóng đảng phí không? | Không phải đóng | Đóng một nửa | Vẫn đóng đầy đủ | Tùy chi bộ quyết định | A | Điều 7, Điều lệ Đảng
Trong Điều lệ Đảng, hệ thống tổ chức của Đảng được lập tương ứng với gì? | Hệ thống tổ chức hành chính của Nhà nước | Các đoàn thể chính trị - xã hội | Các vùng kinh tế | Các khối thi đua | A | Điều 11, Điều lệ Đảng
""",
    "Quy định 37-QĐ/TW về những điều đảng viên không được làm": """
Quy định 37-QĐ/TW về những điều đảng viên không được làm được ban hành ngày nào? | 25/10/2018 | 25/10/2021 | 15/5/2016 | 30/10/2016 | B | Quy định 37-QĐ/TW
Quy định 37-QĐ/TW gồm bao nhiêu điều đảng viên không được làm? | 15 điều | 17 điều | 19 điều | 21 điều | C | Quy định 37-QĐ/TW
Quy định 37-QĐ/TW do cơ quan nào ban hành? | Ban Bí thư | Bộ Chính trị | Ban Chấp hành Trung ương | Ủy ban Kiểm tra Trung ương | C | Quy định 37-QĐ/TW
Quy định 37-QĐ/TW thay thế quy định nào trước đó? | Quy định 47-QĐ/TW năm 2011 | Quy định 101-QĐ/TW năm 2012 | Quy định 55-QĐ/TW năm 2016 | Quy định 08-QĐi/TW năm 2018 | A | Quy định 37-QĐ/TW
Theo Quy định 37-QĐ/TW, đảng viên không được làm điều nào sau đây? | Tham gia sinh hoạt chi bộ nơi cư trú | Nói, viết, làm trái hoặc không thực hiện Cương lĩnh chính trị, Điều lệ Đảng | Góp ý xây dựng cấp ủy | Đóng góp ý kiến vào dự thảo văn kiện | B | Điều 1, Quy định 37-QĐ/TW
Theo Quy định 37-QĐ/TW, hành vi nào đảng viên không được làm? | Tham gia hoạt động thiện nguyện | Tham nhũng, tiêu cực, lãng phí | Học tập nâng cao trình độ | Tham gia hội nghề nghiệp hợp pháp | B | Quy định 37-QĐ/TW
Đảng viên có được lợi dụng chức vụ để can thiệp vào công tác cán bộ cho người thân không? | Được, nếu người thân đủ tiêu chuẩn | Không được | Được, nếu cấp ủy đồng ý | Được, nếu công khai | B | Quy định 37-QĐ/TW
Theo Quy định 37-QĐ/TW, đảng viên có được tổ chức cưới hỏi, ma chay phô trương, lãng phí không? | Được | Không được | Được, nếu tự bỏ kinh phí | Tùy phong tục địa phương | B | Quy định 37-QĐ/TW
Đảng viên có được tham gia các tổ chức, hội nhóm bất hợp pháp không? | Không được | Được, nếu báo cáo chi bộ | Được, nếu không giữ chức vụ | Được khi nghỉ hưu | A | Quy định 37-QĐ/TW
Theo Quy định 37-QĐ/TW, đảng viên có được tham gia đánh bạc, sử dụng ma túy không? | Không được | Được, nếu ngoài giờ làm việc | Được, nếu số tiền nhỏ | Tùy trường hợp | A | Quy định 37-QĐ/TW
Đảng viên có được đưa thông tin sai lệch, xuyên tạc lên mạng xã hội không? | Được, nếu dùng tài khoản cá nhân | Không được | Được, nếu đã xóa sau đó | Được, nếu không ghi tên thật | B | Quy định 37-QĐ/TW
Theo Quy định 37-QĐ/TW, đảng viên không được làm gì đối với người tố cáo? | Tiếp nhận đơn tố cáo | Trù dập, trả thù người tố cáo | Chuyển đơn đến cơ quan có thẩm quyền | Giữ bí mật cho người tố cáo | B | Quy định 37-QĐ/TW
Đảng viên vi phạm những điều không được làm thì bị xử lý thế nào? | Chỉ nhắc nhở | Tùy nội dung, mức độ, tính chất, hậu quả mà bị xử lý kỷ luật | Chỉ xử lý khi có đơn | Chuyển sinh hoạt đảng | B | Quy định 37-QĐ/TW
Theo Quy định 37-QĐ/TW, đảng viên có được cho người khác sử dụng giấy tờ tùy thân, chữ ký của mình để làm việc sai trái không? | Được | Không được | Được, nếu là người thân | Được, nếu có ủy quyền miệng | B | Quy định 37-QĐ/TW
Theo Quy định 37-QĐ/TW, đảng viên có được mê tín dị đoan, hoạt động tôn giáo trái quy định không? | Không được | Được | Được, nếu ở nơi cư trú | Được, nếu chi bộ đồng ý | A | Quy định 37-QĐ/TW
Theo Quy định 37-QĐ/TW, đảng viên có được vi phạm chính sách dân số không? | Được | Không được | Được, nếu nộp phạt | Tùy từng địa phương | B | Quy định 37-QĐ/TW
Việc tuyên truyền, quán triệt Quy định 37-QĐ/TW đến đảng viên là trách nhiệm của ai? | Chỉ của Ban Tuyên giáo | Của cấp ủy, tổ chức đảng các cấp | Chỉ của chi bộ | Của từng đảng viên tự tìm hiểu | B | Quy định 37-QĐ/TW
Theo Quy định 37-QĐ/TW, đảng viên có được can thiệp trái quy định vào hoạt động điều tra, truy tố, xét xử không? | Không được | Được, nếu là lãnh đạo | Được, khi có lý do chính đáng | Được, nếu có văn bản | A | Quy định 37-QĐ/TW
Theo Quy định 37-QĐ/TW, đảng viên có được bao che, tiếp tay cho hành vi vi phạm pháp luật không? | Được, nếu là người thân | Không được | Được, nếu hậu quả nhỏ | Tùy trường hợp | B | Quy định 37-QĐ/TW
Theo Quy định 37-QĐ/TW, đảng viên có được tổ chức, tham gia hoạt động kinh doanh mà pháp luật cấm không? | Không được | Được | Được, nếu góp vốn ít | Được, nếu đứng tên người khác | A | Quy định 37-QĐ/TW
""",
    "Nghị quyết Trung ương 4 về xây dựng, chỉnh đốn Đảng": """
Nghị quyết Trung ương 4 khóa XII về tăng cường xây dựng, chỉnh đốn Đảng được ban hành ngày nào? | 30/10/2016 | 25/10/2021 | 16/1/2012 | 15/5/2016 | A | Nghị quyết TW4 khóa XII
Nghị quyết Trung ương 4 khóa XII chỉ rõ bao nhiêu biểu hiện suy thoái về tư tưởng chính trị, đạo đức, lối sống, "tự diễn biến", "tự chuyển hóa"? | 19 biểu hiện | 25 biểu hiện | 27 biểu hiện | 30 biểu hiện | C | Nghị quyết TW4 khóa XII
Trong 27 biểu hiện suy thoái, có bao nhiêu biểu hiện suy thoái về tư tưởng chính trị? | 7 | 9 | 11 | 13 | B | Nghị quyết TW4 khóa XII
Trong 27 biểu hiện suy thoái, có bao nhiêu biểu hiện suy thoái về đạo đức, lối sống? | 7 | 9 | 11 | 13 | B | Nghị quyết TW4 khóa XII
Trong 27 biểu hiện suy thoái, có bao nhiêu biểu hiện "tự diễn biến", "tự chuyển hóa" trong nội bộ? | 7 | 9 | 11 | 13 | B | Nghị quyết TW4 khóa XII
Kết luận 21-KL/TW của Hội nghị Trung ương 4 khóa XIII được ban hành ngày nào? | 30/10/2016 | 25/10/2021 | 18/5/2021 | 6/7/2018 | B | Kết luận 21-KL/TW
Kết luận 21-KL/TW khóa XIII bổ sung nội dung nào so với Nghị quyết TW4 khóa XII? | Xây dựng, chỉnh đốn Đảng và hệ thống chính trị | Phát triển kinh tế tư nhân | Cải cách tiền lương | Chuyển đổi số quốc gia | A | Kết luận 21-KL/TW
Theo Nghị quyết TW4 khóa XII, biểu hiện "phai nhạt lý tưởng cách mạng" thuộc nhóm nào? | Suy thoái về tư tưởng chính trị | Suy thoái về đạo đức, lối sống | "Tự diễn biến", "tự chuyển hóa" | Vi phạm kỷ luật tài chính | A | Nghị quyết TW4 khóa XII
Theo Nghị quyết TW4 khóa XII, biểu hiện "kèn cựa địa vị, cục bộ, bè phái" thuộc nhóm nào? | Suy thoái về tư tưởng chính trị | Suy thoái về đạo đức, lối sống | "Tự diễn biến", "tự chuyển hóa" | Vi phạm quy chế dân chủ | B | Nghị quyết TW4 khóa XII
Nhóm giải pháp đầu tiên được nêu trong Nghị quyết TW4 khóa XII là gì? | Về cơ chế, chính sách | Về công tác chính trị, tư tưởng, tự phê bình và phê bình | Về kiểm tra, giám sát, kỷ luật đảng | Về phát huy vai trò của nhân dân | B | Nghị quyết TW4 khóa XII
Nghị quyết TW4 khóa XII đề ra bao nhiêu nhóm giải pháp? | 3 nhóm | 4 nhóm | 5 nhóm | 6 nhóm | B | Nghị quyết TW4 khóa XII
Theo Nghị quyết TW4, việc tự phê bình và phê bình phải được tiến hành thế nào? | Chỉ khi có sai phạm | Thường xuyên, nghiêm túc, thực chất | Mỗi năm một lần | Chỉ ở cấp ủy | B | Nghị quyết TW4 khóa XII
Biểu hiện "nói không đi đôi với làm" thuộc nhóm suy thoái nào? | Tư tưởng chính trị | Đạo đức, lối sống | "Tự chuyển hóa" | Tổ chức, kỷ luật | A | Nghị quyết TW4 khóa XII
Theo tinh thần Nghị quyết TW4, người đứng đầu có trách nhiệm gì trong xây dựng, chỉnh đốn Đảng? | Chỉ đạo chung | Phải gương mẫu, chịu trách nhiệm trước cấp ủy và nhân dân | Giao toàn bộ cho cấp phó | Báo cáo định kỳ | B | Nghị quyết TW4 khóa XII
Theo Nghị quyết TW4 khóa XII, "tham vọng quyền lực, không chấp hành sự phân công của tổ chức" là biểu hiện suy thoái về gì? | Đạo đức, lối sống | Tư tưởng chính trị | Năng lực chuyên môn | Sức khỏe | A | Nghị quyết TW4 khóa XII
Nội dung nào là yêu cầu của Kết luận 21-KL/TW? | Kiên quyết ngăn chặn, đẩy lùi, xử lý nghiêm cán bộ, đảng viên suy thoái | Mở rộng biên chế | Giảm số lần sinh hoạt chi bộ | Bỏ kiểm điểm cuối năm | A | Kết luận 21-KL/TW
Nhiệm vụ xây dựng, chỉnh đốn Đảng được xác định là nhiệm vụ gì? | Nhiệm vụ then chốt | Nhiệm vụ trung tâm | Nhiệm vụ thường xuyên | Nhiệm vụ đột xuất | A | Văn kiện Đại hội XIII
Theo Văn kiện Đại hội XIII, phát triển kinh tế - xã hội là nhiệm vụ gì? | Then chốt | Trung tâm | Nền tảng | Cấp bách | B | Văn kiện Đại hội XIII
Theo Nghị quyết TW4, việc phát huy vai trò giám sát của nhân dân được thực hiện thông qua tổ chức nào? | Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội | Chỉ cơ quan báo chí | Chỉ Hội đồng nhân dân | Tổ chức quốc tế | A | Nghị quyết TW4 khóa XII
Theo Nghị quyết TW4, biểu hiện "chạy chức, chạy quyền" thuộc nhóm nào? | Suy thoái về đạo đức, lối sống | Suy thoái về tư tưởng chính trị | "Tự diễn biến" | Không thuộc nhóm nào | A | Nghị quyết TW4 khóa XII
""",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh": """
Chỉ thị 05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh được ban hành ngày nào? | 15/5/2016 | 19/5/2015 | 18/5/2021 | 2/9/2016 | A | Chỉ thị 05-CT/TW
Chỉ thị 05-CT/TW do cơ quan nào ban hành? | Ban Chấp hành Trung ương | Bộ Chính trị | Ban Bí thư | Ban Tuyên giáo Trung ương | B | Chỉ thị 05-CT/TW
Kết luận 01-KL/TW về tiếp tục thực hiện Chỉ thị 05-CT/TW được ban hành ngày nào? | 18/5/2021 | 15/5/2016 | 25/10/2021 | 30/10/2016 | A | Kết luận 01-KL/TW
Chỉ thị 05-CT/TW yêu cầu việc học tập và làm theo Bác trở thành gì? | Phong trào theo đợt | Công việc tự giác, thường xuyên | Nhiệm vụ của riêng đảng viên | Hoạt động ngày lễ | B | Chỉ thị 05-CT/TW
Theo Chỉ thị 05-CT/TW, việc học tập và làm theo Bác cần gắn với nội dung nào? | Nghị quyết Trung ương 4 về xây dựng, chỉnh đốn Đảng | Kế hoạch sản xuất kinh doanh | Phong trào văn nghệ | Công tác đối ngoại | A | Chỉ thị 05-CT/TW
Chủ tịch Hồ Chí Minh nêu những đức tính nào của người cách mạng? | Cần, kiệm, liêm, chính, chí công vô tư | Nhân, lễ, nghĩa, trí, tín | Trung, hiếu, tiết, nghĩa | Dũng, trí, nhân, tín | A | Tác phẩm "Sửa đổi lối làm việc"
Tác phẩm "Sửa đổi lối làm việc" được Chủ tịch Hồ Chí Minh viết năm nào? | 1945 | 1947 | 1954 | 1969 | B | Hồ Chí Minh toàn tập
Bác Hồ viết "Đảng ta là đạo đức, là văn minh" trong bài nói chuyện nhân dịp kỷ niệm bao nhiêu năm thành lập Đảng? | 20 năm | 25 năm | 30 năm | 35 năm | C | Hồ Chí Minh toàn tập
Trong Di chúc, Chủ tịch Hồ Chí Minh căn dặn việc gì là cần làm trước tiên sau chiến tranh? | Chỉnh đốn lại Đảng | Phát triển công nghiệp | Mở rộng đối ngoại | Xây dựng đô thị | A | Di chúc của Chủ tịch Hồ Chí Minh
Theo Chủ tịch Hồ Chí Minh, "đoàn kết, đoàn kết, đại đoàn kết" sẽ dẫn tới điều gì? | Thành công, thành công, đại thành công | Thắng lợi hoàn toàn | Độc lập dân tộc | Dân giàu nước mạnh | A | Hồ Chí Minh toàn tập
Chủ tịch Hồ Chí Minh dạy: "Vì lợi ích mười năm thì phải trồng cây, vì lợi ích trăm năm thì phải..." | Trồng người | Xây trường | Giữ đất | Giữ nước | A | Hồ Chí Minh toàn tập
Theo Chỉ thị 05-CT/TW, ai phải gương mẫu đi đầu trong học tập và làm theo Bác? | Người đứng đầu, cán bộ chủ chốt | Chỉ đoàn viên thanh niên | Chỉ học sinh, sinh viên | Chỉ cán bộ hưu trí | A | Chỉ thị 05-CT/TW
Chủ đề năm 2023 về học tập và làm theo Bác ở nhiều địa phương gắn với nội dung nào? | Xây dựng phong cách, tác phong công tác của người đứng đầu | Phát triển du lịch | Thu hút đầu tư nước ngoài | Chuyển đổi năng lượng | A | Kết luận 01-KL/TW
Theo Chủ tịch Hồ Chí Minh, "cán bộ là ... của mọi công việc"? | Gốc | Ngọn | Nền móng | Động lực | A | Tác phẩm "Sửa đổi lối làm việc"
Chủ tịch Hồ Chí Minh viết "Mỗi đảng viên và cán bộ phải thật sự thấm nhuần đạo đức cách mạng, thật sự cần kiệm liêm chính, chí công vô tư" trong văn bản nào? | Di chúc | Đường Kách mệnh | Tuyên ngôn Độc lập | Lời kêu gọi toàn quốc kháng chiến | A | Di chúc của Chủ tịch Hồ Chí Minh
Theo Kết luận 01-KL/TW, việc học tập và làm theo Bác cần đưa vào nội dung sinh hoạt nào của chi bộ? | Sinh hoạt định kỳ và sinh hoạt chuyên đề | Chỉ hội nghị tổng kết năm | Chỉ đại hội chi bộ | Không bắt buộc | A | Kết luận 01-KL/TW
Phong cách Hồ Chí Minh nổi bật ở đặc điểm nào? | Giản dị, gần dân, nói đi đôi với làm | Cầu kỳ, hình thức | Xa cách quần chúng | Nặng về lý thuyết | A | Chỉ thị 05-CT/TW
Chủ tịch Hồ Chí Minh sinh ngày tháng năm nào? | 19/5/1890 | 19/5/1895 | 2/9/1890 | 3/2/1890 | A | Tiểu sử Chủ tịch Hồ Chí Minh
Tác phẩm "Đường Kách mệnh" được xuất bản năm nào? | 1925 | 1927 | 1930 | 1941 | B | Hồ Chí Minh toàn tập
Đảng Cộng sản Việt Nam được thành lập ngày nào? | 3/2/1930 | 19/5/1930 | 2/9/1945 | 6/1/1930 | A | Lịch sử Đảng Cộng sản Việt Nam
""",
    "Trách nhiệm nêu gương (Quy định 08-QĐi/TW)": """
Quy định 08-QĐi/TW về trách nhiệm nêu gương được ban hành ngày nào? | 25/10/2018 | 25/10/2021 | 15/5/2016 | 16/1/2012 | A | Quy định 08-QĐi/TW
Quy định 08-QĐi/TW quy định trách nhiệm nêu gương trước hết của những ai? | Ủy viên Bộ Chính trị, Ủy viên Ban Bí thư, Ủy viên Ban Chấp hành Trung ương | Đảng viên mới kết nạp | Bí thư chi bộ | Cán bộ hưu trí | A | Quy định 08-QĐi/TW
Quy định 08-QĐi/TW do cơ quan nào ban hành? | Ban Chấp hành Trung ương | Bộ Chính trị | Ban Bí thư | Quốc hội | A | Quy định 08-QĐi/TW
Quy định 101-QĐ/TW năm 2012 về trách nhiệm nêu gương áp dụng với đối tượng nào? | Cán bộ, đảng viên, trước hết là cán bộ lãnh đạo chủ chốt các cấp | Chỉ Ủy viên Trung ương | Chỉ đoàn viên | Chỉ công chức | A | Quy định 101-QĐ/TW
Quy định 55-QĐ/TW năm 2016 về một số việc cần làm ngay để tăng cường vai trò nêu gương được ban hành ngày nào? | 19/12/2016 | 30/10/2016 | 15/5/2016 | 25/10/2018 | A | Quy định 55-QĐ/TW
Theo tinh thần nêu gương, "cán bộ giữ chức vụ càng cao" thì sao? | Càng phải gương mẫu | Càng được ưu tiên | Càng ít phải kiểm điểm | Càng được miễn sinh hoạt | A | Quy định 08-QĐi/TW
Nêu gương về đạo đức, lối sống bao gồm nội dung nào? | Cần, kiệm, liêm, chính, chí công vô tư | Chỉ hoàn thành chỉ tiêu | Chỉ giữ bí mật | Chỉ đúng giờ | A | Quy định 08-QĐi/TW
Theo Quy định 08-QĐi/TW, người nêu gương phải làm gì khi có sai phạm? | Nghiêm khắc tự phê bình, chịu trách nhiệm | Giao cho cấp dưới chịu | Im lặng chờ kiểm tra | Xin chuyển công tác | A | Quy định 08-QĐi/TW
Theo Quy định 08-QĐi/TW, cán bộ lãnh đạo phải gương mẫu trong quản lý gia đình như thế nào? | Quản lý tốt vợ (chồng), con và người thân, không để lợi dụng chức quyền | Không cần quan tâm | Chỉ quản lý tài sản | Để gia đình tự quyết | A | Quy định 08-QĐi/TW
Việc nêu gương trong thực hiện nguyên tắc tập trung dân chủ đòi hỏi điều gì? | Tôn trọng tập thể, lắng nghe ý kiến khác | Quyết định một mình | Bỏ qua ý kiến thiểu số | Không họp tập thể | A | Quy định 08-QĐi/TW
Theo Quy định 08-QĐi/TW, cán bộ phải chủ động làm gì khi thấy mình không đủ uy tín, năng lực? | Xin từ chức | Tiếp tục giữ chức | Đề nghị tăng lương | Xin thêm cấp phó | A | Quy định 08-QĐi/TW
Theo Quy định 08-QĐi/TW, cán bộ có được nhận quà biếu dưới mọi hình thức có thể ảnh hưởng đến công việc không? | Không được | Được, nếu giá trị nhỏ | Được vào dịp lễ, Tết | Được, nếu báo cáo sau | A | Quy định 08-QĐi/TW
Nêu gương trong học tập bao gồm việc gì? | Học tập, nghiên cứu lý luận chính trị, nâng cao trình độ | Chỉ học ngoại ngữ | Chỉ học khi được cử | Không cần học tập | A | Quy định 08-QĐi/TW
Theo Quy định 08-QĐi/TW, cán bộ phải kê khai tài sản, thu nhập như thế nào? | Trung thực, đầy đủ, đúng quy định | Chỉ kê khai khi bị yêu cầu | Kê khai ước lượng | Không bắt buộc | A | Quy định 08-QĐi/TW
Theo Quy định 08-QĐi/TW, việc sử dụng tài sản công phải thế nào? | Đúng mục đích, tiết kiệm, hiệu quả | Tùy nhu cầu cá nhân | Cho mượn tự do | Sử dụng cho việc riêng khi rảnh | A | Quy định 08-QĐi/TW
Theo tinh thần nêu gương, "nói đi đôi với làm" nghĩa là gì? | Lời nói và hành động thống nhất | Nói nhiều hơn làm | Làm mà không cần nói | Nói trước, làm sau tùy ý | A | Quy định 08-QĐi/TW
Trách nhiệm nêu gương của đảng viên nơi cư trú thể hiện qua việc gì? | Gương mẫu chấp hành quy định của địa phương, tham gia hoạt động khu dân cư | Không tham gia sinh hoạt khu dân cư | Chỉ đóng góp tiền | Chỉ tham gia bầu cử | A | Quy định 213-QĐ/TW
Theo Quy định 08-QĐi/TW, cán bộ có được để người thân lợi dụng danh nghĩa mình để trục lợi không? | Không được | Được, nếu không biết | Được, nếu số tiền nhỏ | Tùy trường hợp | A | Quy định 08-QĐi/TW
Theo Quy định 08-QĐi/TW, cán bộ phải nêu gương trong việc chống tư tưởng nào? | Cục bộ, bè phái, lợi ích nhóm | Đoàn kết nội bộ | Sáng tạo, đổi mới | Hợp tác quốc tế | A | Quy định 08-QĐi/TW
Cán bộ phải nêu gương trong việc tiếp xúc với nhân dân như thế nào? | Gần dân, trọng dân, lắng nghe dân | Hạn chế gặp dân | Chỉ tiếp qua văn bản | Giao hoàn toàn cho cấp dưới | A | Quy định 08-QĐi/TW
""",
    "Sinh hoạt chi bộ và xây dựng chi bộ kiểu mẫu": """
Hướng dẫn 12-HD/BTCTW về nâng cao chất lượng sinh hoạt chi bộ được ban hành ngày nào? | 6/7/2018 | 25/10/2018 | 15/5/2016 | 30/10/2016 | A | Hướng dẫn 12-HD/BTCTW
Hướng dẫn 12-HD/BTCTW do cơ quan nào ban hành? | Ban Tổ chức Trung ương | Ban Tuyên giáo Trung ương | Văn phòng Trung ương Đảng | Ủy ban Kiểm tra Trung ương | A | Hướng dẫn 12-HD/BTCTW
Theo Hướng dẫn 12-HD/BTCTW, chi bộ sinh hoạt chuyên đề ít nhất bao lâu một lần? | Mỗi tháng một lần | Mỗi quý một lần | Sáu tháng một lần | Mỗi năm một lần | B | Hướng dẫn 12-HD/BTCTW
Sinh hoạt chi bộ định kỳ gồm mấy bước cơ bản theo hướng dẫn? | 3 bước | 5 bước | 7 bước | 9 bước | B | Hướng dẫn 12-HD/BTCTW
Ai chủ trì sinh hoạt chi bộ? | Bí thư chi bộ hoặc phó bí thư khi bí thư vắng | Đảng viên lớn tuổi nhất | Đại diện cấp ủy cấp trên | Chủ tịch công đoàn | A | Hướng dẫn 12-HD/BTCTW
Theo tinh thần xây dựng chi bộ kiểu mẫu, sinh hoạt chi bộ phải bảo đảm yêu cầu nào? | Tính lãnh đạo, tính giáo dục, tính chiến đấu | Tính hình thức | Tính giải trí | Tính ngắn gọn tối đa | A | Hướng dẫn 12-HD/BTCTW
Đề án số 07-ĐA/TU của Tỉnh ủy Yên Bái ngày 28/02/2022 về nội dung gì? | Xây dựng chi bộ kiểu mẫu | Phát triển du lịch | Chuyển đổi số | Xây dựng nông thôn mới | A | Đề án 07-ĐA/TU
Chi bộ kiểu mẫu phải làm tốt vai trò gì đối với nhiệm vụ chính trị của cơ quan, đơn vị? | Lãnh đạo thực hiện nhiệm vụ chính trị | Chỉ theo dõi | Chỉ tuyên truyền | Chỉ kiểm tra tài chính | A | Đề án 07-ĐA/TU
Đảng viên vắng mặt sinh hoạt chi bộ phải làm gì? | Báo cáo lý do với bí thư chi bộ | Không cần báo cáo | Nhờ người khác sinh hoạt thay | Báo cáo với cơ quan | A | Hướng dẫn 12-HD/BTCTW
Biên bản sinh hoạt chi bộ cần ghi những nội dung gì? | Đầy đủ diễn biến, ý kiến phát biểu và kết luận | Chỉ danh sách có mặt | Chỉ kết luận | Không cần biên bản | A | Hướng dẫn 12-HD/BTCTW
Sinh hoạt chi bộ hằng tháng nên dành thời gian bao lâu theo hướng dẫn? | Tối thiểu 90 phút | 30 phút | 15 phút | Không quy định | A | Hướng dẫn 12-HD/BTCTW
Chất lượng sinh hoạt chi bộ được đánh giá qua kết quả nào? | Việc lãnh đạo thực hiện nhiệm vụ chính trị và xây dựng chi bộ | Số lượng phát biểu | Độ dài cuộc họp | Số văn bản ban hành | A | Hướng dẫn 12-HD/BTCTW
Trong sinh hoạt chi bộ, đảng viên có quyền gì? | Thảo luận, biểu quyết các vấn đề chi bộ đặt ra | Chỉ nghe phổ biến | Không được phát biểu | Chỉ biểu quyết khi được mời | A | Điều 3, Điều lệ Đảng
Việc đánh giá, xếp loại chất lượng chi bộ được thực hiện bao lâu một lần? | Hằng năm | Hai năm một lần | Mỗi nhiệm kỳ | Mỗi quý | A | Quy định 124-QĐ/TW
Chi bộ được xếp loại "hoàn thành xuất sắc nhiệm vụ" khi nào? | Đạt tiêu chí theo hướng dẫn và không có đảng viên vi phạm bị kỷ luật | Chỉ cần đông đảng viên | Có nhiều cuộc họp | Do bí thư tự đánh giá | A | Quy định 124-QĐ/TW
Theo tiêu chí đảng viên "4 gương mẫu", đảng viên phải gương mẫu về điều gì? | Tư tưởng chính trị, đạo đức lối sống, thực hiện nhiệm vụ, ý thức tổ chức kỷ luật | Chỉ trình độ chuyên môn | Chỉ tham gia văn nghệ | Chỉ số năm công tác | A | Đề án 07-ĐA/TU
Sinh hoạt chi bộ chuyên đề nên chọn nội dung như thế nào? | Thiết thực, gắn với nhiệm vụ chính trị và vấn đề nổi lên của chi bộ | Tùy ý, không cần chuẩn bị | Chỉ về văn hóa, thể thao | Giống nhau mỗi quý | A | Hướng dẫn 12-HD/BTCTW
Ai có trách nhiệm chuẩn bị nội dung sinh hoạt chi bộ? | Chi ủy hoặc bí thư, phó bí thư chi bộ | Từng đảng viên | Cấp ủy cấp trên | Thủ trưởng cơ quan | A | Hướng dẫn 12-HD/BTCTW
Cấp ủy cấp trên dự sinh hoạt chi bộ nhằm mục đích gì? | Nắm tình hình, hướng dẫn, nâng cao chất lượng sinh hoạt | Thay chi bộ ra nghị quyết | Kiểm tra tài chính | Điểm danh đảng viên | A | Hướng dẫn 12-HD/BTCTW
Đảng viên giữ mối liên hệ với chi ủy nơi cư trú bằng cách nào? | Giới thiệu và báo cáo với chi ủy, tham gia hoạt động nơi cư trú | Không cần liên hệ | Chỉ khi chuyển nhà | Chỉ khi có đợt kiểm tra | A | Quy định 213-QĐ/TW
""",
}

_SAMPLE_TEXT = """
Đảng Cộng sản Việt Nam được thành lập năm nào? | 1925 | 1930 | 1945 | 1954 | B | Lịch sử Đảng
Theo Điều lệ Đảng, thời gian dự bị của đảng viên là bao lâu? | 6 tháng | 12 tháng | 18 tháng | 24 tháng | B | Điều 5, Điều lệ Đảng
Nguyên tắc tổ chức cơ bản của Đảng là gì? | Tập trung dân chủ | Tập thể lãnh đạo | Phê bình và tự phê bình | Đoàn kết | A | Điều 9, Điều lệ Đảng
Chi bộ sinh hoạt thường kỳ bao lâu một lần? | Mỗi tuần | Mỗi tháng | Mỗi quý | Mỗi năm | B | Điều 24, Điều lệ Đảng
Quy định 37-QĐ/TW gồm bao nhiêu điều đảng viên không được làm? | 17 | 19 | 21 | 27 | B | Quy định 37-QĐ/TW
Chỉ thị 05-CT/TW về học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh ban hành năm nào? | 2011 | 2016 | 2018 | 2021 | B | Chỉ thị 05-CT/TW
Quy định 08-QĐi/TW về trách nhiệm nêu gương ban hành năm nào? | 2016 | 2018 | 2020 | 2021 | B | Quy định 08-QĐi/TW
Nghị quyết TW4 khóa XII nêu bao nhiêu biểu hiện suy thoái? | 19 | 25 | 27 | 29 | C | Nghị quyết TW4 khóa XII
Chi bộ có từ bao nhiêu đảng viên chính thức trở lên thì bầu chi ủy? | 7 | 9 | 11 | 15 | B | Điều 24, Điều lệ Đảng
Tổ chức cơ sở đảng có từ bao nhiêu đảng viên trở lên thì lập đảng bộ cơ sở? | 20 | 30 | 40 | 50 | B | Điều 21, Điều lệ Đảng
"""


def _parse(text: str) -> list[tuple[str, list[str], int, str]]:
    rows = []
    for line in text.strip().splitlines():
        question, *options, letter, source = (part.strip() for part in line.split(" | "))
        rows.append((question, options, "ABCDEF".index(letter), source))
    return rows


BANK: dict[str, list[tuple[str, list[str], int, str]]] = {field: _parse(text) for field, text in _BANK_TEXT.items()}
SAMPLE = _parse(_SAMPLE_TEXT)
