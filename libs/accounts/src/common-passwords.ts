/**
 * Passwords of at least 10 characters that lists of leaked passwords show people choose most often, lower-cased,
 * including the Chinese favourites (pinyin, keyboard walks, lucky numbers). Shorter ones fail the length rule anyway.
 */
export const COMMON_PASSWORDS = new Set<string>([
  '1234567890', '0123456789', '0987654321', '1111111111', '1234512345', '1234554321', '1122334455', '1qaz2wsx3edc',
  'qwertyuiop', 'asdfghjkl;', 'zxcvbnm123', 'qwerty1234', 'qwerty123456', 'qwer123456', 'asdf123456', 'abc1234567',
  'abcd123456', 'a123456789', 'a1234567890', 'aa12345678', 'password12', 'password123', 'password1234', 'password!',
  'passw0rd123', 'p@ssw0rd123', 'p@ssword123', 'iloveyou12', 'iloveyou123', 'woaini1314', 'woaini123456', '5201314520',
  '1314520520', '5201314000', 'woainima123', 'admin12345', 'admin123456', 'administrator', 'root123456', 'welcome123',
  'letmein123', 'changeme123', 'changeme!!', 'football123', 'baseball123', 'sunshine123', 'princess123', 'superman123',
  'dragon1234', 'monkey1234', 'shadow1234', 'master1234', 'michael123', 'jennifer12', 'qazwsxedc123', 'qazwsxedcrfv',
  '1q2w3e4r5t', '1q2w3e4r5t6y', 'zaq12wsxcde3', '!qaz2wsx', 'zhang123456', 'wang123456', 'li12345678', 'liu123456789',
  'chen123456', 'yang123456', 'huang123456', 'zhao123456', 'wu12345678', 'zhou123456', 'xiaoming123', 'beijing123',
  'shanghai123', 'chongqing123', 'chongqing1', 'china12345', 'china123456', 'zhongguo123', 'abc123abc123', 'aaaaaa1111',
  'a1b2c3d4e5', 'a1b2c3d4e5f6', '123qweasdzxc', 'qweasdzxc123', '123456qwerty', '123456abcdef', '12345678910', '123456789a',
  '123456789abc', '12345678abc', '147258369a', '1472583690', '1597534862', '7894561230', '9876543210', '8888888888',
  '6666666666', '5555555555', '0000000000', '9999999999', '1234567891', '1357924680', '2468013579', 'jiaoying123',
  'jiaoying2026', 'yujing12345', 'zhiban12345', 'yingji12345', 'yingji123456', 'fangxun123', 'fangxun12345',
]);
