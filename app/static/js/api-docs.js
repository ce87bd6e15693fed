// The API documentation page (templates/api/docs.html): Swagger UI on the live OpenAPI
// document. A file of its own, because the CSP allows no inline script.
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: target.getAttribute("data-spec-url"),
    domNode: target,
    deepLinking: false,
    // Nothing is fetched from elsewhere: no validator badge (it calls validator.swagger.io).
    validatorUrl: null,
    tryItOutEnabled: false,
    defaultModelsExpandDepth: 0,
    // The page has its own heading and introduction: Swagger UI's info block (a second
    // h1) is left out, so the headings stay one outline.
    plugins: [
      function () {
        var nothing = function () {
          return function () {
            return null;
          };
        };
        return { wrapComponents: { InfoContainer: nothing, info: nothing } };
      },
    ],
  });
})();
